import { test, expect, openHydrated, armEnterTimer, Server } from './fixtures';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

/** SHA-256 of the exported rounds' values, one per line with two decimals (what a report's
 *  provenance names), computed independently of the server. */
function sha256OfExport(csv: string): string {
  const values = csv.trim().split('\n').slice(1).map((line) => line.split(',')[1]);
  return createHash('sha256').update(values.map((v) => `${Number(v).toFixed(2)}\n`).join('')).digest('hex');
}

/** Polls the training job over REST until it ends; returns its last status. */
async function waitForJob(server: Server, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await server.api('GET', '/api/v1/train');
    if (r.json.state !== 'running' || Date.now() > deadline) return r.json;
    await new Promise((res) => setTimeout(res, 200));
  }
}

test('every recorded round updates the prediction, which is stored and scored on the next round', async ({ page, server }) => {
  await openHydrated(page, server.url);
  // An empty history has no rate of its own: a dash, not "0.0%".
  await expect(page.locator('#prediction-table tbody tr').first().locator('td').nth(3)).toHaveText('–');
  const input = page.locator('#round-input');
  const timings: number[] = [];
  const values = ['1.20', '3.5', '1.00', '2.04', '7.7', '1.49'];
  for (const [i, text] of values.entries()) {
    await input.fill(text);
    const shown = await armEnterTimer(page, '#prediction-body', 'data-rounds', String(i + 1));
    await input.press('Enter');
    await expect(page.locator('#prediction-body')).toHaveAttribute('data-rounds', String(i + 1));
    timings.push(await shown());
    // Base rates stand next to every estimate.
    await expect(page.locator('#prediction-table tbody tr').nth(1)).toContainText('48.5%');
  }
  // One prediction per round (at 2x, Normal): after the empty history, after round 1, … after round 6.
  await expect(page.locator('#live-summary')).toContainText('6 scored');
  await expect(page.locator('#live-summary')).toContainText('1 waiting');
  await expect(page.locator('#live-play')).toContainText('PLAY was not shown');
  // The counts on the panel agree with each other: 7 stored = 6 scored + 1 waiting, and
  // every scored one is a WAIT in the per-round log (newest first).
  await expect(page.locator('#live-summary')).toContainText('7 predictions stored');
  await expect(page.locator('#live-play')).toContainText('all 6 scored recommendations were WAIT');
  await expect(page.locator('#live-log tbody tr')).toHaveCount(6);
  await expect(page.locator('#live-log tbody tr').first()).toContainText('1.49x — missed');
  await expect(page.locator('#live-log tbody tr').nth(1)).toContainText('7.70x — reached');
  await expect(page.locator('#live-brier-table tbody tr').first()).toContainText('[');
  await expect(page.locator('#live-brier-table tbody tr')).toHaveCount(5);
  await expect(page.locator('#chart-live')).toHaveAttribute('data-renders', /\d+/);
  const stored = await server.api('GET', '/api/v1/predictions');
  expect(stored.json.total).toBe(7);
  const outcomes = stored.json.predictions.map((p: any) => p.outcome).reverse();
  expect(outcomes).toEqual([120, 350, 100, 204, 770, 149, null]);
  expect(stored.json.predictions.every((p: any) => p.recommendation === 'Wait')).toBe(true);
  timings.sort((a, b) => a - b);
  console.log(`METRIC enter_to_prediction_ms median=${((timings[2] + timings[3]) / 2).toFixed(1)} max=${timings[5].toFixed(1)} all=${timings.map((t) => t.toFixed(1)).join(',')}`);
});

test('training a small model in the browser streams its progress to 100% and activates it', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await page.locator('header nav a[href="/models"]').click();
  await expect(page.locator('#no-models')).toBeVisible();
  // Logistic and the MLP: fast, and the MLP reports epochs.
  await page.locator('#train-members input[value="gbt"]').uncheck();
  await page.locator('#train-budget').fill('3');
  await page.locator('#train-start').click();
  await expect(page.locator('#train-status')).toHaveAttribute('data-state', 'running');
  await expect(page.locator('#train-cancel')).toBeEnabled();
  await expect(page.locator('#train-status')).toHaveAttribute('data-state', 'succeeded', { timeout: 90_000 });
  await expect(page.locator('#train-status')).toHaveAttribute('data-percent', '100');
  await expect(page.locator('#train-percent')).toHaveText('100%');
  await expect(page.locator('#train-version')).toContainText('v0001');
  await expect(page.locator('#chart-loss')).toHaveAttribute('data-renders', /\d+/);
  // The list refetches: the new version is active, with its walk-forward table.
  await expect(page.locator('#models-table tbody tr')).toHaveCount(1);
  await expect(page.locator('#models-table .active-chip')).toBeVisible();
  await expect(page.locator('#comparison-table tbody tr')).toHaveCount(4); // fair, mlp, logistic, ensemble
  await expect(page.locator('#chart-reliability')).toHaveAttribute('data-renders', /\d+/);
  await expect(page.locator('#confusions table')).toHaveCount(3);
  // The dashboard now answers with the model, still WAIT on fair data.
  await page.locator('header nav a[href="/"]').click();
  await expect(page.locator('#prediction-source')).toContainText('Model v0001');
  await expect(page.locator('#recommendation')).toHaveText('WAIT');
});

test('a training job can be cancelled and nothing is registered', async ({ page, server }) => {
  const stored = await server.api('POST', '/api/v1/rounds', { values: Array.from({ length: 1500 }, (_, i) => (1 + ((i * 37) % 300) / 100).toFixed(2)) });
  expect(stored.status).toBe(201);
  await openHydrated(page, `${server.url}/models`);
  for (const k of ['logistic', 'gbt', 'mlp']) await page.locator(`#train-members input[value="${k}"]`).uncheck();
  await page.locator('#train-members input[value="gru"]').check();
  await page.locator('#train-budget').fill('120');
  await page.locator('#train-start').click();
  await expect(page.locator('#train-status')).toHaveAttribute('data-state', 'running');
  await page.locator('#train-cancel').click();
  await expect(page.locator('#train-status')).toHaveAttribute('data-state', 'cancelled', { timeout: 15_000 });
  await expect(page.locator('#train-error')).toContainText('nothing was registered');
  const models = await server.api('GET', '/api/v1/models');
  expect(models.json.models).toHaveLength(0);
});

test('backtest and analysis pages render their charts', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await page.locator('header nav a[href="/backtest"]').click();
  await page.locator('#bt-models input[value="empirical"]').check();
  await page.locator('#bt-run').click();
  for (const id of ['chart-bt-reliability', 'chart-bt-cumulative', 'chart-bt-pnl', 'chart-bt-folds']) {
    await expect(page.locator(`#${id}`)).toHaveAttribute('data-renders', /\d+/, { timeout: 60_000 });
  }
  await expect(page.locator('#bt-table tbody tr')).toHaveCount(10); // 2 models × 5 thresholds
  await expect(page.locator('#bt-verdicts li')).toHaveCount(2);
  // Bad settings get a clear error and no result.
  await page.locator('#bt-start').fill('1999');
  await page.locator('#bt-run').click();
  await expect(page.locator('#bt-error')).toContainText('needs at least');

  await page.locator('header nav a[href="/analysis"]').click();
  await expect(page.locator('#fairness-memory')).toContainText('No memory found');
  await expect(page.locator('#fairness-rtp')).toContainText('consistent with the configured 97.0%');
  await expect(page.locator('#fitted-table tbody tr')).toHaveCount(4);
  // The report names the values it read: the SHA-256 of the stored rounds, computed here.
  const csv = await (await fetch(`${server.url}/api/v1/rounds/export.csv`)).text();
  await expect(page.locator('#fairness .provenance')).toHaveAttribute('data-sha256', sha256OfExport(csv));
  expect(await page.locator('#tests-table tbody tr').count()).toBeGreaterThan(10);
  for (const id of ['chart-an-survival', 'chart-an-after-low', 'chart-an-after-high', 'chart-an-acf-ln', 'chart-an-acf-two', 'chart-an-moving']) {
    await expect(page.locator(`#${id}`)).toHaveAttribute('data-renders', /\d+/);
  }
});

test('a corrupt model file yields the fair baseline with a visible notice', async ({ page, server }) => {
  // Fair rounds (xorshift32 through the fair law's inverse CDF): a periodic sequence would
  // be a real, confirmable pattern and could rightly give PLAY.
  let s = 2463534242;
  const u = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  const values = Array.from({ length: 1200 }, () => Math.min(10000, Math.max(1, Math.floor(97 / u()) / 100)).toFixed(2));
  const stored = await server.api('POST', '/api/v1/rounds', { values });
  expect(stored.status).toBe(201);
  const started = await server.api('POST', '/api/v1/train', { members: ['logistic'], budget_s: 2, device: 'cpu', activate: true });
  expect(started.status).toBe(202);
  const done = await waitForJob(server);
  expect(done.state).toBe('succeeded');
  await openHydrated(page, server.url);
  await expect(page.locator('#prediction-source')).toContainText(`Model ${done.version}`);
  fs.writeFileSync(path.join(server.modelsDir, done.version, 'model.json'), '{ this is not json');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#prediction-source')).toContainText('cannot be used');
  await expect(page.locator('#prediction-source')).toContainText('fair baseline');
  await expect(page.locator('#recommendation')).toHaveText('WAIT');
  await expect(page.locator('#prediction-table tbody tr').nth(1)).toContainText('48.5%');
});

test('the patterns page lists rules next to the fair rate, filters, sorts and charts', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await page.locator('header nav a[href="/patterns"]').click();
  await expect(page).toHaveURL(/\/patterns$/);
  await expect(page.locator('#patterns-verdict')).toContainText('No rule is confirmed');
  await expect(page.locator('#chart-patterns')).toHaveAttribute('data-renders', /\d+/);
  // The strongest rule's evidence after every round, against the confirmation threshold.
  await expect(page.locator('#chart-evidence')).toHaveAttribute('data-renders', /\d+/);
  await expect(page.locator('#evidence-summary')).toContainText('a confirmation needs');
  const rows = page.locator('#patterns-table tbody tr');
  expect(await rows.count()).toBeGreaterThan(20);
  // Filter by family: only that family's rows remain.
  await page.locator('#pt-family').selectOption('position');
  await expect(rows.first()).toHaveAttribute('data-family', 'position');
  expect(await page.locator('#patterns-table tbody tr:not([data-family="position"])').count()).toBe(0);
  // Sort by EV: the first row's EV is the largest shown.
  await page.locator('#pt-sort').selectOption('ev');
  const evs = await page.locator('#patterns-table tbody tr td:nth-child(7)').allTextContents();
  const first = parseFloat(evs[0]);
  for (const e of evs) expect(parseFloat(e)).toBeLessThanOrEqual(first + 1e-9);
  await expect(page.locator('#limits-table tbody tr')).toHaveCount(6);
  // Demo rounds carry no clock: the time-of-day family says so.
  await expect(page.locator('#clock-note')).toContainText('no round carries a real time');
  await expect(page.locator('#regimes-table tbody tr')).toHaveCount(6);
  // The page and the API agree.
  const api = await server.api('GET', '/api/v1/patterns');
  expect(api.status).toBe(200);
  expect(api.json.confirmed).toBe(0);
  expect(api.json.rounds).toBe(2000);
  const bad = await server.api('GET', '/api/v1/patterns?cashouts=nope');
  expect(bad.status).toBe(400);
});
