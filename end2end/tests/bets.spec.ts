import { test, expect, openHydrated } from './fixtures';

test('a bet is recorded with one key after its round, and the session net stands next to the fair law', async ({ page, server }) => {
  await openHydrated(page, server.url + '/');
  await expect(page.locator('#bets-session')).toContainText('No bets this session');
  await page.locator('#bet-stake').fill('2');
  await page.locator('#bet-target').fill('2');
  const input = page.locator('#round-input');
  // 2.50 ⏎ B: the bet of 2 at 2x wins +2; 1.20 ⏎ B: it loses −2 — typed without pauses.
  await input.click();
  await page.keyboard.type('2.50\nb1.20\nb', { delay: 40 });
  await expect(page.locator('#entry-message')).toContainText('lost -2.00');
  await expect(page.locator('#bets-session')).toContainText('2 bets · net 0.00');
  await expect(page.locator('#bets-session')).toContainText('the fair law expects -0.12');
  await expect(page.locator('#bets-session')).toContainText(/Session 0:0\d:\d\d/);
  const today = page.locator('#bets-periods tbody tr', { hasText: 'today' });
  await expect(today.locator('td').nth(1)).toHaveText('4.00');
  // The rounds were stored as typed, the letter B never in them.
  expect(await server.values()).toEqual([2.5, 1.2]);
  const ledger = await server.api('GET', '/api/v1/bets');
  expect(ledger.json.bets.map((b: any) => b.profit)).toEqual([2, -2]);
  // A manual cash-out above the crash is refused with a message, nothing stored.
  expect((await server.api('POST', '/api/v1/bets', { stake: 1, cashed_out: 5 })).status).toBe(422);
  await page.locator('#bet-target').fill('abc');
  await input.click();
  await page.keyboard.press('b');
  await expect(page.locator('#entry-message')).toContainText('bet cash-out: "abc" is not a number');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.locator('#bets').screenshot({ path: test.info().outputPath(`bets-${width}.png`) });
  }
});
