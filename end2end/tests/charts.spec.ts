import { test, expect, openHydrated } from './fixtures';

/** Width in CSS pixels of the canvas ECharts draws in the chart box `id`. */
async function canvasWidth(page: any, id: string): Promise<number> {
  return page.evaluate((id: string) => {
    const c = document.querySelector(`#${id} canvas`) as HTMLCanvasElement | null;
    return c ? c.getBoundingClientRect().width : -1;
  }, id);
}

test('charts follow the window: narrowed to a phone and widened back', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await expect(page.locator('#chart-last')).toHaveAttribute('data-renders', /\d+/);
  const wide = await canvasWidth(page, 'chart-last');
  expect(wide).toBeGreaterThan(900);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => canvasWidth(page, 'chart-last')).toBeLessThanOrEqual(390);
  // Nothing wider than the screen: no sideways scrolling.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect.poll(() => canvasWidth(page, 'chart-last')).toBeGreaterThan(900);
});
