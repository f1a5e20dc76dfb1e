import { test, expect, openHydrated } from './fixtures';

test('the prediction panel shows base rates and WAITs on fair data', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await expect(page.locator('#recommendation')).toHaveText('WAIT');
  await expect(page.locator('#prediction-source')).toContainText('fair baseline');
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  // Every threshold row carries the fair base rate (0.97/t) next to the estimate.
  const rows = page.locator('#prediction-table tbody tr');
  await expect(rows).toHaveCount(5);
  await expect(rows.nth(1)).toContainText('≥ 2x');
  await expect(rows.nth(1)).toContainText('48.5%');
  for (const c of ['1.5', '2', '3', '5', '10']) {
    await page.locator('#cashout').selectOption(c);
    for (const m of ['normal', 'rolling']) {
      await page.locator('#mode').selectOption(m);
      await expect(page.locator('#prediction-ev')).toContainText(`cashing out at ${c}x`);
      await expect(page.locator('#recommendation')).toHaveText('WAIT');
    }
  }
  await expect(page.locator('#rec-reason')).toContainText('fair law answers');
  const r = await server.api('POST', '/api/v1/predict', { cashout: 2, mode: 'rolling' });
  expect(r.status).toBe(200);
  expect(r.json.recommendation).toBe('Wait');
  expect(r.json.fair_ev).toBeCloseTo(-0.03, 10);
  const bad = await server.api('POST', '/api/v1/predict', { cashout: 0.5 });
  expect(bad.status).toBe(400);
  expect(bad.json.error.code).toBe('bad_cashout');
});

test('after Enter the estimate, its EV and PLAY/WAIT are on screen without scrolling at 1280×800 and 390×844', async ({ page, server }) => {
  let s = 20261206;
  const u = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  const values = Array.from({ length: 300 }, () => Math.min(10000, Math.max(1, Math.floor(97 / u()) / 100)).toFixed(2));
  expect((await server.api('POST', '/api/v1/rounds', { values })).status).toBe(201);
  let stored = values.length;
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await openHydrated(page, server.url);
    await page.locator('#round-input').fill('2.47');
    await page.locator('#round-input').press('Enter');
    stored += 1;
    await expect(page.locator('#prediction-body')).toHaveAttribute('data-rounds', String(stored));
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    for (const part of ['#round-input', '#recommendation', '#rec-reason', '#prediction-ev', '#prediction-table']) {
      await expect(page.locator(part), `${part} at ${width}×${height}`).toBeInViewport({ ratio: 1 });
    }
    if (width === 390) {
      // The navigation is one line: every link is reachable by scrolling it sideways.
      const header = await page.locator('header.top').boundingBox();
      expect(header!.height).toBeLessThanOrEqual(60);
      await expect(page.locator('header nav a')).toHaveCount(8);
      await page.locator('header nav a', { hasText: 'Limits' }).scrollIntoViewIfNeeded();
      await expect(page.locator('header nav a', { hasText: 'Limits' })).toBeInViewport();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: test.info().outputPath(`dashboard-${width}.png`) });
  }
});

test("on a phone the one-line navigation shows the current page's link, on load and after a navigation", async ({ page, server }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const current = page.locator('header nav a[aria-current="page"]');
  for (const [path, name] of [['/limits', 'Limits'], ['/strategies', 'Strategies'], ['/', 'Dashboard']]) {
    await openHydrated(page, server.url + path);
    await expect(current).toHaveText(name);
    await expect(current).toBeInViewport({ ratio: 1 });
  }
  // A navigation inside the app (no reload) follows too.
  await page.locator('header nav a', { hasText: 'Analysis' }).click();
  await expect(current).toHaveText('Analysis');
  await expect(current).toBeInViewport({ ratio: 1 });
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
});
