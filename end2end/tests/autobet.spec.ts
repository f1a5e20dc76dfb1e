import { test, expect, openHydrated } from './fixtures';

test('a bustabit autobet script runs unchanged: its inputs become the form, a replay gives its balance', async ({ page, server }) => {
  expect((await server.api('POST', '/api/v1/rounds', { values: ['2.5', '1.2', '2.00', '7'] })).status).toBe(201);
  await openHydrated(page, server.url + '/strategies');
  await page.locator('#st-strategy').selectOption('autobet');
  // The martingale example's config block as a form; balances in bits.
  await expect(page.locator('#st-input-baseBet')).toHaveValue('1');
  await expect(page.locator('#st-input-payout')).toHaveValue('2');
  await expect(page.locator('label[for="st-input-baseBet"]')).toContainText('(bits)');
  await page.locator('#st-mode-replay').check();
  await page.locator('#st-run').click();
  // 1 bit at 2x on 2.5, 1.2, 2.00, 7: +1, −1, +2, +1.
  await expect(page.locator('#st-autobet')).toContainText('final balance 103.00 bits after 4 bets', { timeout: 20_000 });
  await expect(page.locator('#st-table')).toBeVisible();

  // Another example, another input; a changed input changes the run.
  await page.locator('#st-example').selectOption('flat');
  await expect(page.locator('#st-input-wager')).toHaveValue('1');
  await page.locator('#st-input-wager').fill('3');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-autobet')).toContainText('final balance 106.00 bits after 4 bets');

  // A mistake names its line; a manual cash-out is refused by name.
  await page.locator('#st-script').fill("engine.on('GAME_STARTING', () => {\n  engine.bet(100, 2;\n});");
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('line 2');
  await page.locator('#st-script').fill("engine.on('GAME_STARTED', () => engine.cashOut());");
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('engine.cashOut()');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: test.info().outputPath(`autobet-${width}.png`), fullPage: true });
  }
});
