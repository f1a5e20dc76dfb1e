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

test('the last-rounds chart: Reset zoom and a new "Show the last N" show the whole window again', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await expect(page.locator('#chart-last')).toHaveAttribute('data-renders', /\d+/);
  const zoomStart = () =>
    page.evaluate(() => {
      const el = document.getElementById('chart-last');
      const chart = (window as any).echarts.getInstanceByDom(el);
      return chart.getOption().dataZoom[0].start as number;
    });
  const zoomIn = () =>
    page.evaluate(() => {
      const chart = (window as any).echarts.getInstanceByDom(document.getElementById('chart-last'));
      chart.dispatchAction({ type: 'dataZoom', start: 40, end: 60 });
    });
  await zoomIn();
  await expect.poll(zoomStart).toBe(40);
  await page.locator('#reset-zoom').click();
  await expect.poll(zoomStart).toBe(0);
  await zoomIn();
  await expect.poll(zoomStart).toBe(40);
  await page.locator('#last-n').selectOption('500');
  await expect(page.locator('#chart-last')).toHaveAttribute('data-renders', /\d+/);
  await expect.poll(zoomStart).toBe(0);
});

test('every chart has a summary and its numbers as a table on request, the same numbers as drawn', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await expect(page.locator('#chart-cat')).toHaveAttribute('data-renders', /\d+/);
  // The chart box is an image named by its summary.
  const cat = page.locator('#chart-cat');
  await expect(cat).toHaveAttribute('role', 'img');
  await expect(cat).toHaveAttribute('aria-label', /^Category shares \(%\): observed \(4 points\), fair game \(4 points\)/);
  // No table until asked (a long chart's table is hundreds of rows).
  const box = page.locator('.chart-box', { has: cat });
  await expect(box.locator('table')).toHaveCount(0);
  await box.locator('summary', { hasText: 'Data' }).click();
  const table = box.locator('table.chart-table');
  await expect(table.locator('thead th')).toHaveText(['multiplier', 'observed', 'fair game']);
  await expect(table.locator('tbody tr')).toHaveCount(4);
  // The table's numbers are the drawn ones. Both are read in one script turn: a chart is
  // redrawn a moment after its data changes (the demo's rounds arrive after the first
  // drawing), and the table follows the drawing, so two separate reads could straddle it.
  const read = () =>
    page.evaluate(() => {
      const chart = (window as any).echarts.getInstanceByDom(document.getElementById('chart-cat'));
      const drawn: number[][] = chart.getOption().series.map((s: any) => s.data.map((v: any) => Number(v)));
      const rows = Array.from(document.querySelectorAll('#chart-cat ~ .chart-data table.chart-table tbody tr'));
      const cells = rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.textContent || ''));
      return { drawn, cells };
    });
  // The demo's 2,000 rounds drawn: the observed shares add up to 100%.
  await expect
    .poll(async () => Math.round((await read()).drawn[0].reduce((a, b) => a + b, 0)))
    .toBe(100);
  const { drawn, cells } = await read();
  expect(cells).toHaveLength(4);
  for (let i = 0; i < 4; i++) {
    expect(Number(cells[i][1])).toBeCloseTo(drawn[0][i], 2);
    expect(Number(cells[i][2])).toBeCloseTo(drawn[1][i], 2);
  }
  await box.locator('summary', { hasText: 'Data' }).click();
  await expect(table).toHaveCount(0);
  // Every chart on the page has its toggle.
  const charts = await page.locator('.chart').count();
  await expect(page.locator('.chart-data > summary')).toHaveCount(charts);
});

test('a typed round is drawn from its stored row, and the dashboard\'s later answer agrees (no second redraw)', async ({ page, server }) => {
  // 260 rounds: the default window (200) is full, so every Enter drops its oldest point.
  const stored = Array.from({ length: 260 }, (_, i) => Math.round((1 + ((i * 37) % 90) / 10) * 100) / 100);
  expect((await server.api('POST', '/api/v1/rounds', { values: stored })).status).toBe(201);
  await openHydrated(page, server.url);
  await expect(page.locator('#stat-count .value')).toHaveText('260');
  const drawn = () =>
    page.evaluate(() => {
      const chart = (window as any).echarts.getInstanceByDom(document.getElementById('chart-last'));
      return chart.getOption().series[0].data.map((p: number[]) => [p[0], p[1]]);
    });
  const window200 = (values: number[]) => values.slice(-200).map((v, i) => [values.length - 200 + i + 1, v]);
  await expect.poll(drawn).toEqual(window200(stored));
  const input = page.locator('#round-input');
  const typed = [...stored];
  for (const text of ['3.33', '1.00', '250.5']) {
    const before = Number(await page.locator('#chart-last').getAttribute('data-renders'));
    await input.fill(text);
    await input.press('Enter');
    typed.push(Number(text));
    await expect(page.locator('#chart-last')).toHaveAttribute('data-renders', String(before + 1));
    expect(await drawn()).toEqual(window200(typed));
    // The dashboard's answer (the count comes with it) holds the same points: no redraw.
    await expect(page.locator('#stat-count .value')).toHaveText(String(typed.length));
    await page.waitForTimeout(300);
    await expect(page.locator('#chart-last')).toHaveAttribute('data-renders', String(before + 1));
  }
  // A shorter window is the server's again, with the typed rounds in it.
  await page.locator('#last-n').selectOption('50');
  await expect.poll(drawn).toEqual(typed.slice(-50).map((v, i) => [typed.length - 50 + i + 1, v]));
});
