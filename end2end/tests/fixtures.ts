import { test as base, expect, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const HISTORY_CSV = path.resolve(ROOT, '..', 'shared', 'data', 'jetx_history.csv');
const BINARY = path.join(ROOT, 'target', 'release', 'jetx');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A running `jetx serve` on a free loopback port with its own database file. */
export class Server {
  proc?: ChildProcess;
  url = '';
  log = '';
  modelsDir: string;
  /** `env`: more settings, e.g. `{ JETX_ACCOUNTS: '1' }` for a hosted server. */
  constructor(public dbPath: string, public env: Record<string, string> = {}) {
    this.modelsDir = path.join(path.dirname(dbPath), 'models');
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.proc = spawn(BINARY, ['serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        JETX_DATABASE: this.dbPath,
        JETX_MODELS_DIR: this.modelsDir,
        JETX_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: 'target/site',
        LEPTOS_ENV: 'PROD',
        RUST_LOG: 'warn',
        // Reality checks every few seconds are allowed here, so a test can wait for one.
        JETX_REALITY_CHECK_MIN_S: '2',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout?.on('data', (d) => (this.log += d));
    this.proc.stderr?.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not start:\n${this.log}`);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  async api(method: string, p: string, body?: unknown): Promise<any> {
    const r = await fetch(`${this.url}${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: await r.json() };
  }

  async values(): Promise<number[]> {
    const r = await this.api('GET', '/api/v1/rounds?limit=1000');
    return r.json.rounds.map((x: any) => x.value / 100).reverse();
  }
}

export const test = base.extend<{ server: Server }>({
  // Every page of every test runs under the app's Content-Security-Policy: anything the
  // policy blocks (an inline script without the nonce, a style, a worker) fails the test.
  page: async ({ page }, use, testInfo) => {
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to (load|execute|apply|compile|connect|frame)/.test(m.text())) blocked.push(m.text());
    });
    await use(page);
    // A test that provokes a violation on purpose says so with this annotation.
    if (!testInfo.annotations.some((a) => a.type === 'provokes-csp-violation')) {
      expect(blocked, 'nothing the Content-Security-Policy blocks').toEqual([]);
    }
  },
  server: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetx-e2e-'));
    const server = new Server(path.join(dir, 'jetx.sqlite'));
    await server.start();
    await use(server);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  },
});

export { expect };

/** Opens a page and waits until the app has hydrated (an Effect sets the attribute). */
export async function openHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Number of points in the series of an ECharts chart. */
export async function chartPoints(page: Page, id: string, series = 0): Promise<number> {
  return page.evaluate(
    ([id, series]) => {
      const el = document.getElementById(id as string);
      const chart = el && (window as any).echarts.getInstanceByDom(el);
      if (!chart) return -1;
      return chart.getOption().series[series as number].data.length;
    },
    [id, series] as const,
  );
}

/**
 * Arms an in-page clock: the next Enter keydown starts it, and it stops at the first frame
 * after `selector` has `attr` = `value`. Await the returned function after pressing Enter to
 * get the milliseconds (measured in the page, so Playwright's polling does not add to it).
 */
export async function armEnterTimer(page: Page, selector: string, attr: string, value: string): Promise<() => Promise<number>> {
  const clocks = await armEnterClocks(page, { shown: [selector, attr, value] });
  return async () => (await clocks()).shown;
}

/**
 * Several clocks started by the same Enter, one per target `[selector, attr, value]`: each
 * stops at the first frame after its target holds. The returned function gives every
 * target's milliseconds.
 */
export async function armEnterClocks<K extends string>(page: Page, targets: Record<K, [string, string, string]>): Promise<() => Promise<Record<K, number>>> {
  await page.evaluate((targets) => {
    const w = window as any;
    w.__enterAt = undefined;
    document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && w.__enterAt === undefined) w.__enterAt = performance.now(); }, { capture: true, once: true });
    const clock = ([selector, attr, value]: [string, string, string]) => new Promise<number>((resolve) => {
      const done = () => requestAnimationFrame(() => resolve(performance.now() - w.__enterAt));
      const matches = () => document.querySelector(selector)?.getAttribute(attr) === value;
      const obs = new MutationObserver(() => { if (w.__enterAt !== undefined && matches()) { obs.disconnect(); done(); } });
      obs.observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const names = Object.keys(targets);
    w.__clocks = Promise.all(names.map((k) => clock((targets as any)[k]))).then((ms) => Object.fromEntries(names.map((k, i) => [k, ms[i]])));
  }, targets as Record<string, [string, string, string]>);
  return () => page.evaluate(() => (window as any).__clocks);
}
