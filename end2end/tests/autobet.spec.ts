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

test('a JavaScript script\'s Monte Carlo runs in a Web Worker with the server\'s numbers, and cannot reach the network', async ({ page, server }) => {
  expect((await server.api('POST', '/api/v1/rounds', { values: ['2.5', '1.2'] })).status).toBe(201);
  await openHydrated(page, server.url + '/strategies');
  await page.locator('#st-strategy').selectOption('autobet');
  await expect(page.locator('#st-input-baseBet')).toHaveValue('1');
  await expect(page.locator('#st-in-browser')).toBeChecked();
  await page.locator('#st-paths').fill('300');
  await page.locator('#st-rounds').fill('400');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-ran')).toContainText('Ran in this browser (Web Worker)', { timeout: 60_000 });
  const source = await page.locator('#st-script').inputValue();
  const rest = await server.api('POST', '/api/v1/simulate', {
    strategy: 'script', language: 'javascript', script: source,
    params: { baseBet: '1', payout: '2', multiplier: '2', maxLosses: '0' },
    stake: 1, cashout: 2, bankroll: 100, paths: 300, rounds: 400,
  });
  expect(rest.status, JSON.stringify(rest.json)).toBe(200);
  const row = async (what: string) => (await page.locator('#st-table tbody tr', { hasText: what }).first().locator('td').first().textContent()) || '';
  // The same script on the same paths: the browser's V8 and the server's QuickJS agree.
  expect(parseFloat(await row('mean final bankroll'))).toBeCloseTo(rest.json.mean_final_bankroll.value, 2);
  expect(parseFloat(await row('mean turnover'))).toBeCloseTo(rest.json.mean_turnover, 2);

  // A script that reaches for the network finds nothing there, and nothing is changed.
  await page.locator('#st-script').fill("fetch('/api/v1/rounds/undo', { method: 'POST' });\nengine.on('GAME_STARTING', () => engine.bet(100, 2));");
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('fetch', { timeout: 20_000 });
  expect(await server.values()).toEqual([2.5, 1.2]);
});

test('1,000 paths × 1,000 rounds of a script in the browser, every bet placed, with a progress bar', async ({ page, server }) => {
  await openHydrated(page, server.url + '/strategies');
  await page.locator('#st-strategy').selectOption('autobet');
  await page.locator('#st-example').selectOption('flat');
  await expect(page.locator('#st-input-wager')).toHaveValue('1');
  await page.locator('#st-bankroll').fill('1000000');
  await page.locator('#st-paths').fill('1000');
  await page.locator('#st-rounds').fill('1000');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-progress')).toBeVisible();
  await expect(page.locator('#st-ran')).toContainText('Ran in this browser (Web Worker)', { timeout: 60_000 });
  const ran = (await page.locator('#st-ran').textContent()) || '';
  const seconds = parseFloat((ran.match(/in ([\d.]+) s/) || [])[1]);
  console.log(`METRIC browser autobet 1000x1000 flat script: ${seconds} s`);
  expect(seconds).toBeLessThan(30);
  const bets = await page.locator('#st-table tbody tr', { hasText: 'bets' }).first().locator('td').first().textContent();
  expect(bets).toContain('1000');
});
