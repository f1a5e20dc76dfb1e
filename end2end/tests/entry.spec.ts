import { test, expect, openHydrated, Server } from './fixtures';

/** 50 values a player might type: short, long, with and without decimals. */
function fiftyValues(): string[] {
  const base = ['1.11', '12.50', '1.00', '2.3', '4', '1.07', '33.33', '1.5', '2.01', '7.77'];
  const out: string[] = [];
  for (let i = 0; i < 50; i++) out.push(base[(i * 7 + Math.floor(i / 10)) % base.length]);
  return out;
}

test('typing 50 rounds at full speed stores exactly what was typed, in order', async ({ page, server }) => {
  await openHydrated(page, server.url);
  const input = page.locator('#round-input');
  await input.focus();
  const values = fiftyValues();
  const keys = values.reduce((n, v) => n + v.length + 1, 0);
  const t0 = Date.now();
  // 10 ms between keys (Playwright adds its own time per key: on a loaded 2-core machine
  // a 20 ms delay came out at 19.3 keys/s), no pause after Enter.
  for (const v of values) {
    await page.keyboard.type(v, { delay: 10 });
    await page.keyboard.press('Enter');
  }
  const seconds = (Date.now() - t0) / 1000;
  expect(keys / seconds).toBeGreaterThanOrEqual(20);
  await expect.poll(async () => (await server.values()).length, { timeout: 20_000 }).toBe(50);
  expect(await server.values()).toEqual(values.map(Number));
  await expect(input).toHaveValue('');
  await expect(page.locator('#entry-message')).toHaveAttribute('data-waiting', '0');
  await expect(page.locator('#entry-message')).toContainText('Round #50 recorded');
  await expect(page.locator('#stat-count .value')).toHaveText('50');
  console.log(`METRIC entry_keys_per_s=${(keys / seconds).toFixed(1)}`);
});

test('a value typed while the last one is on its way is neither lost nor changed', async ({ page, server }) => {
  await openHydrated(page, server.url);
  // Every add_round answer is held 300 ms: the next keys land while it is in flight.
  await page.route('**/api/add_round', async (route) => {
    await new Promise((r) => setTimeout(r, 300));
    await route.continue();
  });
  const input = page.locator('#round-input');
  await input.focus();
  await page.keyboard.type('1.11', { delay: 20 });
  await page.keyboard.press('Enter');
  await page.keyboard.type('12.50', { delay: 20 });
  await expect(input).toHaveValue('12.50');
  await page.keyboard.press('Enter');
  await expect(input).toHaveValue('');
  await expect.poll(async () => (await server.values()).length).toBe(2);
  expect(await server.values()).toEqual([1.11, 12.5]);
});

/** Posts a server function's arguments as the browser does (URL-encoded form). */
async function serverFn(server: Server, endpoint: string, form: Record<string, string>) {
  const r = await fetch(`${server.url}/api/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: r.status, text: await r.text() };
}

test('bad input to every server function answers 4xx with its reason and stores nothing', async ({ server }) => {
  const cases: [string, Record<string, string>, number, string][] = [
    ['add_round', { text: 'abc' }, 422, 'not a number'],
    ['add_round', { text: '0.5' }, 422, 'below the minimum'],
    ['add_pasted', { text: '1.5 abc', skip_invalid: 'false' }, 422, 'abc'],
    ['add_pasted', { text: 'abc', skip_invalid: 'true' }, 422, 'no valid values'],
    ['update_round', { id: '1', text: 'abc' }, 422, 'not a number'],
    ['update_round', { id: '999', text: '2.00' }, 404, 'no round with id 999'],
    ['delete_round', { id: '999' }, 404, 'no round with id 999'],
    ['list_rounds', { offset: '0', limit: '5000' }, 400, 'limit'],
    ['list_rounds', { offset: '-1', limit: '10' }, 400, 'offset'],
    ['prediction', { cashout: '0.5', mode: 'normal' }, 400, 'outside'],
    ['activate_model', { version: '../etc' }, 400, 'not a model version'],
    ['start_training', { 'request[members][0]': 'logistic', 'request[budget_s]': '5000', 'request[device]': 'cpu', 'request[activate]': 'false' }, 400, 'time budget'],
    // A device that does not exist (a form with no member ticked is valid: training.rs).
    ['start_training', { 'request[members][0]': 'logistic', 'request[budget_s]': '3', 'request[device]': 'quantum', 'request[activate]': 'false' }, 400, 'device'],
    ['backtest', { 'request[start]': '99999', 'request[refit]': 'every', 'request[refit_every]': '500', 'request[window]': '1000', 'request[gap]': '0', 'request[thresholds][0]': '2', 'request[models][0]': 'logistic', 'request[cashout]': '2' }, 400, 'needs at least'],
    ['backtest', { 'request[start]': '1000', 'request[refit]': 'every', 'request[refit_every]': '500', 'request[window]': '1000', 'request[gap]': '0', 'request[cashout]': '2' }, 400, 'threshold'],
    ['delete_round', { id: 'abc' }, 400, ''],
  ];
  for (const [endpoint, form, status, reason] of cases) {
    const r = await serverFn(server, endpoint, form);
    expect(r.status, `${endpoint} ${JSON.stringify(form)}: ${r.text}`).toBe(status);
    // One error shape on the wire: {status, code, message, details}, the status as sent.
    const error = JSON.parse(r.text);
    expect(error.status, endpoint).toBe(status);
    expect(error.code, endpoint).toMatch(/^[a-z_]+$/);
    expect(error.message, endpoint).toContain(reason);
  }
  expect(await server.values()).toEqual([]);
  // And the REST API, for the same mistakes.
  for (const [method, p, body, status] of [
    ['POST', '/api/v1/rounds', { values: ['abc'] }, 422],
    ['GET', '/api/v1/rounds?limit=5000', undefined, 400],
    ['POST', '/api/v1/predict', { cashout: 0.5 }, 400],
    ['POST', '/api/v1/train', { members: ['logistic'], budget_s: 5000, device: 'cpu', activate: false }, 400],
    ['POST', '/api/v1/models/..%2Fetc/activate', undefined, 400],
  ] as [string, string, unknown, number][]) {
    const r = await server.api(method, p, body);
    expect(r.status, `${method} ${p}: ${JSON.stringify(r.json)}`).toBe(status);
    expect(r.json.error.status).toBe(status);
    expect(r.json.error.message.length).toBeGreaterThan(0);
  }
  expect(await server.values()).toEqual([]);
});

test('one round typed reads each panel once: dashboard, estimate, scoreboard, bets', async ({ page, server }) => {
  await openHydrated(page, server.url);
  // Let the first load settle, then count the reads one new round causes.
  await expect(page.locator('#prediction-panel')).toContainText('P(X');
  await page.waitForTimeout(500);
  const reads = new Map<string, number>();
  page.on('request', (r) => {
    const name = new URL(r.url()).pathname.replace(/^\/api\//, '');
    if (['dashboard', 'prediction', 'live', 'bets'].includes(name)) reads.set(name, (reads.get(name) || 0) + 1);
  });
  const input = page.locator('#round-input');
  await input.fill('2.50');
  await input.press('Enter');
  await expect(page.locator('#entry-message')).toContainText('Round #1 recorded');
  await expect(page.locator('#stat-count .value')).toHaveText('1');
  await expect.poll(() => reads.get('live') || 0).toBe(1);
  await page.waitForTimeout(1000);
  expect(Object.fromEntries(reads)).toEqual({ dashboard: 1, prediction: 1, live: 1, bets: 1 });
});
