import { test, expect, openHydrated } from './fixtures';

test('a loss limit once reached withholds PLAY on every screen and says why', async ({ page, server }) => {
  await openHydrated(page, server.url + '/limits');
  await expect(page.locator('#play-gate')).toContainText('No limit is reached');
  await expect(page.locator('#limits-empty')).toBeVisible();
  // A typo is named, nothing is saved.
  await page.locator('#limit-amount').fill('three');
  await page.locator('#limit-set').click();
  await expect(page.locator('#limits-message')).toContainText('"three" is not an amount');
  expect((await server.api('GET', '/api/v1/limits')).json.limits).toEqual([]);

  await page.locator('#limit-kind').selectOption('loss');
  await page.locator('#limit-period').selectOption('day');
  await page.locator('#limit-amount').fill('3');
  await page.locator('#limit-set').click();
  await expect(page.locator('#limits-message')).toContainText('Saved');
  const row = page.locator('#limits-table tbody tr[data-kind="loss"][data-period="day"]');
  await expect(row).toContainText('3.00');

  // Two lost bets of 2 at 2x: a net loss of 4 over the limit of 3.
  expect((await server.api('POST', '/api/v1/rounds', { values: ['1.20'] })).status).toBe(201);
  expect((await server.api('POST', '/api/v1/bets', { stake: 2, target: 2 })).status).toBe(201);
  expect((await server.api('POST', '/api/v1/rounds', { values: ['1.50'] })).status).toBe(201);
  expect((await server.api('POST', '/api/v1/bets', { stake: 2, target: 2 })).status).toBe(201);

  await openHydrated(page, server.url + '/');
  const why = 'your loss limit per 24 hours is reached (4.00 used of 3.00)';
  await expect(page.locator('#play-limits')).toContainText(why);
  await expect(page.locator('#rec-withheld')).toContainText(why);
  await expect(page.locator('#recommendation')).not.toHaveText(/PLAY/);
  // The REST prediction says the same as the page.
  const p = await server.api('POST', '/api/v1/predict', {});
  expect(p.status).toBe(200);
  expect(p.json.withheld).toContain(why);
  expect(p.json.recommendation).toBe('Wait');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: test.info().outputPath(`dashboard-withheld-${width}.png`), fullPage: true });
  }

  await page.locator('#play-limits a', { hasText: 'Limits and breaks' }).click();
  await expect(page.locator('h1')).toHaveText('Limits and breaks');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#play-gate')).toContainText('PLAY is withheld');
  await expect(page.locator('#play-gate')).toContainText(why);
  await expect(page.locator('#help-services')).toContainText('GamCare');
  // Raising waits 24 hours: the saved answer says so and the limit still holds.
  await page.locator('#limit-amount').fill('50');
  await page.locator('#limit-set').click();
  await expect(page.locator('#limits-message')).toContainText('applies 24 hours from now');
  await expect(page.locator('#play-gate')).toContainText('PLAY is withheld');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: test.info().outputPath(`limits-${width}.png`), fullPage: true });
  }
});

test('a reality check stops the session at the chosen interval until it is answered', async ({ page, server }) => {
  // Every 2 s (the test server allows intervals this short; players choose minutes).
  expect((await server.api('PUT', '/api/v1/reality-check', { interval_s: 2 })).status).toBe(200);
  await openHydrated(page, server.url + '/');
  const input = page.locator('#round-input');
  await input.fill('1.85');
  await input.press('Enter');
  await expect.poll(() => server.values()).toEqual([1.85]);
  const check = page.locator('#reality-check');
  await expect(check).toBeVisible({ timeout: 10_000 });
  await expect(check).toContainText('You have played for');
  await expect(check).toContainText('The house edge is expected to have cost');
  await expect(page.locator('#reality-continue')).toBeEnabled({ timeout: 3_000 });
  await page.screenshot({ path: test.info().outputPath('reality-check-1280.png') });
  await page.locator('#reality-continue').click();
  await expect(check).toBeHidden();
  // Two seconds later it asks again; "stop for today" withholds PLAY until midnight.
  await expect(check).toBeVisible({ timeout: 10_000 });
  await expect(page.locator('#reality-stop')).toBeEnabled({ timeout: 3_000 });
  await page.locator('#reality-stop').click();
  await expect(check).toBeHidden();
  await expect(page.locator('#play-limits')).toContainText('PLAY is withheld');
  const limits = await server.api('GET', '/api/v1/limits');
  expect(limits.json.gate.open).toBe(false);
});
