import { test, expect, openHydrated } from './fixtures';
import * as http from 'node:http';
import * as net from 'node:net';

/** A page on another site (another host name and port) that attacks the app on load. */
async function evilSite(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  // `localhost` is another site than `127.0.0.1`, where the app runs.
  return { url: `http://localhost:${port}/`, close: () => new Promise((r) => srv.close(() => r())) };
}

test('a page on another site can neither post a form nor fetch its way into the data', async ({ page, server }) => {
  // The app's answers may not be framed by the other site either (frame-ancestors).
  test.info().annotations.push({ type: 'provokes-csp-violation', description: 'the framed answers' });
  const r = await server.api('POST', '/api/v1/rounds', { values: ['1.50', '2.00', '3.00'] });
  expect(r.status).toBe(201);
  const evil = await evilSite(`<!doctype html><html><body>
    <iframe name="sink"></iframe>
    <form id="f" method="POST" action="${server.url}/api/undo_last" target="sink"></form>
    <form id="g" method="POST" action="${server.url}/api/v1/rounds/undo" target="sink" enctype="text/plain"><input name='{"a":"' value='"}'></form>
    <script>
      document.getElementById('f').submit();
      document.getElementById('g').submit();
      fetch('${server.url}/api/remove_demo', { method: 'POST', mode: 'no-cors' });
      fetch('${server.url}/api/delete_round', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=1' })
        .finally(() => { document.title = 'sent'; });
    </script></body></html>`);
  try {
    await page.goto(evil.url);
    await expect(page).toHaveTitle('sent');
    // Give the form posts time to arrive.
    await page.waitForTimeout(500);
  } finally {
    await evil.close();
  }
  expect(await server.values()).toEqual([1.5, 2, 3]);
  expect(server.log).toContain('cross_site');
});

test('the app\'s own pages still change data, and an injected inline script does not run', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#round-input').fill('2.50');
  await page.locator('#round-input').press('Enter');
  await expect.poll(() => server.values()).toEqual([2.5]);
  test.info().annotations.push({ type: 'provokes-csp-violation', description: 'the injected script below' });
  // What an injected <script> would do: the page's policy refuses it (it has no nonce).
  const violated = page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true;';
        document.body.appendChild(s);
      }),
  );
  expect(await violated).toMatch(/^script-src/);
  expect(await page.evaluate(() => (window as any).__injected)).toBeUndefined();
});

test('a 20 MB body from the page is answered 413 with the error, not a reset connection, and nothing is stored', async ({ page, server }) => {
  await openHydrated(page, server.url);
  const answer = await page.evaluate(async () => {
    const body = JSON.stringify({ values: new Array(3_500_000).fill('1.50') });
    const r = await fetch('/api/v1/rounds', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { size: body.length, status: r.status, json: await r.json() };
  });
  expect(answer.size).toBeGreaterThan(20_000_000);
  expect(answer.status).toBe(413);
  expect(answer.json.error.code).toBe('too_large');
  const stats = await (await fetch(`${server.url}/api/v1/stats`)).json();
  expect(stats.summary.count).toBe(0);
});
