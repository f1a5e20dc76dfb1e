import { test, expect, openHydrated, chartPoints } from './fixtures';

test('the strategy lab runs a martingale under the fair law and leads with its ruin', async ({ page, server }) => {
  await openHydrated(page, server.url + '/strategies');
  await page.locator('#st-strategy').selectOption('martingale');
  await page.locator('#st-param-reset_after').fill('6');
  await page.locator('#st-bankroll').fill('50');
  await page.locator('#st-paths').fill('2000');
  await page.locator('#st-rounds').fill('300');
  await page.locator('#st-run').click();
  const verdict = page.locator('#st-verdict li');
  await expect(verdict.first()).toContainText('Probability of ruin');
  await expect(page.locator('#st-verdict')).toContainText('No staking plan turns a negative-EV game positive');
  // Exact ruin probability of this plan: 70.0% (models::strategy::exact); 2,000 paths.
  const ruinText = await page.locator('#st-table tbody tr').first().locator('td').first().textContent();
  const ruin = parseFloat(ruinText || '');
  expect(Math.abs(ruin - 70.0)).toBeLessThan(4);
  // The numbers on the page agree with each other: closed-form loss = 3% × turnover.
  const row = async (what: string) => (await page.locator('#st-table tbody tr', { hasText: what }).locator('td').first().textContent()) || '';
  const turnover = parseFloat(await row('mean turnover'));
  const closed = parseFloat(await row('expected loss (closed form)'));
  expect(Math.abs(closed - 0.03 * turnover)).toBeLessThan(0.01);
  await expect(page.locator('#st-table thead')).toContainText('Flat betting');
  await expect.poll(() => chartPoints(page, 'chart-st-fan')).toBe(101);
  await expect.poll(() => chartPoints(page, 'chart-st-final')).toBe(40);
  await expect(page.locator('#st-result')).toContainText('GamCare');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1100 });
    // The charts follow the new width (ECharts resizes on its observer); nothing is wider.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    // Inside a container that scrolls sideways on its own (the phone's navigation) an
    // element may reach past the screen: the page itself does not move.
    const wide = await page.evaluate((w) => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 1)
      .filter((e) => { for (let a = e.parentElement; a; a = a.parentElement) { if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return false; } return true; })
      .slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className}`), width);
    expect(wide, `elements wider than ${width} px`).toEqual([]);
    await page.screenshot({ path: test.info().outputPath(`strategies-${width}.png`), fullPage: true });
  }
});

test('the strategy lab names bad settings and replays only stored rounds', async ({ page, server }) => {
  await openHydrated(page, server.url + '/strategies');
  await page.locator('#st-stake').fill('abc');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('stake: "abc" is not a number');
  await page.locator('#st-stake').fill('500');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('cannot cover');
  await page.locator('#st-stake').fill('1');
  await page.locator('#st-mode-replay').check();
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('no stored rounds');
  expect((await server.api('POST', '/api/v1/rounds', { values: ['2.5', '1.2', '2.00', '7'] })).status).toBe(201);
  await page.locator('#st-run').click();
  // Martingale on 2.5, 1.2, 2.00, 7 at 2x: +1, −1, +2, +1.
  await expect(page.locator('#st-table tbody tr', { hasText: 'mean final bankroll' })).toContainText('103.00');
  await expect(page.locator('#st-table tbody tr', { hasText: 'fair law expects' })).toBeVisible();
});

test('a user script runs next to flat betting, and its errors name the line', async ({ page, server }) => {
  await openHydrated(page, server.url + '/strategies');
  await page.locator('#st-strategy').selectOption('script');
  // Switching to a script keeps the run within what a script may take.
  await expect(page.locator('#st-paths')).toHaveValue('1000');
  const box = page.locator('#st-script');
  await expect(box).toHaveValue(/fn on_round\(game\)/);
  await page.locator('#st-rounds').fill('300');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-result h2')).toContainText('Your script vs flat betting');
  await expect(page.locator('#st-verdict li').first()).toContainText('Probability of ruin');
  await expect.poll(() => chartPoints(page, 'chart-st-fan')).toBe(101);
  await page.locator('details.paste summary', { hasText: 'How scripts work' }).click();
  await expect(page.locator('.script-box')).toContainText('no files');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1100 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: test.info().outputPath(`strategies-script-${width}.png`), fullPage: true });
  }
  // A mistake on line 3 is reported with its line; an endless loop stops with a message.
  await box.fill('fn on_round(game) {\n  let x = 1;\n  x.nope()\n}\n');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('line 3');
  await box.fill('fn on_round(game) {\n  loop { }\n}\n');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-error')).toContainText('endless loop');
});

test('Monte Carlo runs in a Web Worker: progress, cancel, a page that stays responsive, the server\'s numbers', async ({ page, server }) => {
  await openHydrated(page, server.url + '/strategies');
  await expect(page.locator('#st-in-browser')).toBeChecked();
  // A run too long to finish: it shows its progress and stops at Cancel.
  await page.locator('#st-paths').fill('20000');
  await page.locator('#st-rounds').fill('10000');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-progress')).toBeVisible();
  await expect(page.locator('#st-progress-line')).toContainText('of 40000 paths');
  await page.locator('#st-cancel').click();
  await expect(page.locator('#st-ran')).toHaveText('Cancelled: nothing was kept.');
  await expect(page.locator('#st-run')).toBeEnabled();
  await expect(page.locator('#st-progress')).toHaveCount(0);

  // 10,000 paths × 1,000 rounds of the martingale (and flat betting on the same rounds).
  await page.locator('#st-paths').fill('10000');
  await page.locator('#st-rounds').fill('1000');
  // The page's own thread keeps drawing frames while the worker runs.
  await page.evaluate(() => {
    const w = window as any;
    w.__gaps = [];
    let last = performance.now();
    const tick = (t: number) => { w.__gaps.push(t - last); last = t; if (!w.__stopFrames) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.locator('#st-run').click();
  await expect(page.locator('#st-ran')).toContainText('Ran in this browser (Web Worker)', { timeout: 60_000 });
  const ran = (await page.locator('#st-ran').textContent()) || '';
  const seconds = parseFloat((ran.match(/in ([\d.]+) s/) || [])[1]);
  expect(seconds).toBeGreaterThan(0);
  test.info().annotations.push({ type: 'browser Monte Carlo 10,000 × 1,000 (s)', description: String(seconds) });
  console.log(`browser Monte Carlo, 10,000 paths × 1,000 rounds: ${seconds} s`);
  const gaps: number[] = await page.evaluate(() => { (window as any).__stopFrames = true; return (window as any).__gaps; });
  expect(gaps.length).toBeGreaterThan(5);
  expect(Math.max(...gaps), 'longest frame gap (ms) while the worker ran').toBeLessThan(500);

  // The worker runs the server's code: the server's answer for the same settings agrees.
  const rest = await server.api('POST', '/api/v1/simulate', {
    strategy: 'martingale', stake: 1, cashout: 2, bankroll: 100, paths: 10000, rounds: 1000,
  });
  expect(rest.status).toBe(200);
  const row = async (what: string) => (await page.locator('#st-table tbody tr', { hasText: what }).first().locator('td').first().textContent()) || '';
  expect(parseFloat(await row('mean final bankroll'))).toBeCloseTo(rest.json.mean_final_bankroll.value, 1);
  expect(parseFloat(await row('mean turnover'))).toBeCloseTo(rest.json.mean_turnover, 0);
  await expect(page.locator('#st-verdict li').first()).toContainText('Probability of ruin');

  // A replay cannot run in the browser: the form says so and the server runs it.
  await page.locator('#st-mode-replay').check();
  await expect(page.locator('#st-where')).toContainText('runs on the server');
});

/** Seeded rounds with a planted edge: after two rounds below 1.5x, 2x comes 68.5% of the
 * time instead of the fair 48.5% (the fair law's shape kept above and below 2x). */
function plantedRounds(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const uniform = () => { // mulberry32, in (0, 1]
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967296;
  };
  const out: number[] = [];
  const pc = 0.97 / 2;
  for (let i = 0; i < n; i++) {
    const lows = i >= 2 && out[i - 1] < 1.5 && out[i - 2] < 1.5;
    const q = lows ? 0.685 : pc;
    const u = uniform() <= q ? pc * uniform() : pc + (1 - pc) * uniform();
    out.push(Math.max(1, Math.floor((100 * 0.97) / u) / 100));
  }
  return out.map((v) => v.toFixed(2));
}

test('Monte Carlo under the patterns confirmed on the stored rounds plays their edge, on the server', async ({ page, server }) => {
  expect((await server.api('POST', '/api/v1/rounds', { values: plantedRounds(8000, 7) })).status).toBe(201);
  await openHydrated(page, server.url + '/strategies');
  await page.locator('#st-strategy').selectOption('only_on_play');
  await page.locator('#st-bankroll').fill('500');
  await page.locator('#st-paths').fill('200');
  await page.locator('#st-law').selectOption('confirmed');
  await expect(page.locator('#st-where')).toContainText('the confirmed patterns are read from the stored rounds');
  await page.locator('#st-run').click();
  const verdict = page.locator('#st-verdict li').first();
  await expect(verdict).toContainText('patterns confirmed on your 8000 rounds');
  await expect(verdict).toContainText('P(X ≥ 2x)');
  await expect(page.locator('#st-result')).toContainText('Monte Carlo under the patterns confirmed on your rounds');
  const mean = await page.locator('#st-table tbody tr', { hasText: 'mean final bankroll' }).locator('td').first().textContent();
  expect(parseFloat(mean || '')).toBeGreaterThan(500);
  // A replay plays the stored rounds themselves: no law to choose.
  await page.locator('#st-mode-replay').check();
  await expect(page.locator('#st-law')).toBeDisabled();
});
