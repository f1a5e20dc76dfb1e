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
