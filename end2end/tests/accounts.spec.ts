import { Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, expect, openHydrated, Server } from './fixtures';

// Hosted mode (accounts = true): sign-up, login, logout, the idle timeout, and two players
// who never see each other's rounds. Each test runs its own hosted server.

async function hostedServer(env: Record<string, string> = {}): Promise<{ server: Server; done: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetx-hosted-'));
  const server = new Server(path.join(dir, 'jetx.sqlite'), { JETX_ACCOUNTS: '1', ...env });
  await server.start();
  return {
    server,
    done: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const PASSWORD = 'correct horse battery';

async function signUp(page: Page, url: string, name: string): Promise<void> {
  await openHydrated(page, `${url}/signup`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.locator('.user-menu .user-name')).toHaveText(name);
}

async function enterRound(page: Page, value: string): Promise<void> {
  const input = page.locator('#round-input');
  await input.fill(value);
  await input.press('Enter');
  await expect(page.locator('#entry-message')).toContainText('recorded');
}

test('a player signs up, logs out, is sent to login, and comes back to the page asked for', async ({ page }) => {
  const { server, done } = await hostedServer();
  try {
    await page.goto(`${server.url}/rounds`);
    await expect(page).toHaveURL(/\/login\?next=\/rounds$/);
    await signUp(page, server.url, 'ana');
    await openHydrated(page, server.url);
    await enterRound(page, '2.50');
    await page.screenshot({ path: 'test-results/hosted-dashboard-1280.png' });

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto(`${server.url}/rounds`);
    await expect(page).toHaveURL(/\/login\?next=\/rounds$/);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByLabel('User name').fill('ana');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('wrong user name or password');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/rounds$/);
    await expect(page.locator('table')).toContainText('2.50');
  } finally {
    await done();
  }
});

test('two players in two browsers never see each other\'s rounds', async ({ browser }) => {
  const { server, done } = await hostedServer();
  try {
    const ana = await (await browser.newContext()).newPage();
    const bob = await (await browser.newContext()).newPage();
    await signUp(ana, server.url, 'ana');
    await signUp(bob, server.url, 'bob');
    await openHydrated(ana, server.url);
    await enterRound(ana, '7.77');
    await enterRound(ana, '1.23');
    await openHydrated(bob, server.url);
    await enterRound(bob, '3.00');
    await expect(ana.locator('#stat-count .value')).toHaveText('2');
    await expect(bob.locator('#stat-count .value')).toHaveText('1');
    await openHydrated(bob, `${server.url}/rounds`);
    await expect(bob.locator('main')).toContainText('3.00');
    await expect(bob.locator('main')).not.toContainText('7.77');
    await openHydrated(ana, `${server.url}/rounds`);
    await expect(ana.locator('main')).toContainText('7.77');
    await expect(ana.locator('main')).not.toContainText('3.00');
  } finally {
    await done();
  }
});

test('after the idle timeout the next action goes to login and keeps what was typed', async ({ page }) => {
  const { server, done } = await hostedServer({ JETX_SESSION_IDLE_S: '3' });
  try {
    await signUp(page, server.url, 'ana');
    await openHydrated(page, server.url);
    await enterRound(page, '2.00');
    await page.waitForTimeout(4_000);
    const input = page.locator('#round-input');
    await input.fill('3.33');
    await input.press('Enter');
    await expect(page).toHaveURL(/\/login\?expired=1&next=%2F$/);
    await expect(page.getByRole('status')).toContainText('session ended');
    await page.screenshot({ path: 'test-results/hosted-login-expired-1280.png' });
    await page.getByLabel('User name').fill('ana');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${server.url}/`);
    await expect(page.locator('#round-input')).toHaveValue('3.33');
    await page.locator('#round-input').press('Enter');
    await expect(page.locator('#stat-count .value')).toHaveText('2');
  } finally {
    await done();
  }
});

test('the sign-in pages and the account page at phone width', async ({ page }) => {
  const { server, done } = await hostedServer();
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await openHydrated(page, `${server.url}/login`);
    await page.screenshot({ path: 'test-results/hosted-login-390.png', fullPage: true });
    await signUp(page, server.url, 'ana');
    await openHydrated(page, `${server.url}/account`);
    await page.getByLabel('Name').fill('my script');
    await page.getByRole('button', { name: 'Create a token' }).click();
    const token = (await page.locator('code.token').textContent()) ?? '';
    expect(token).toMatch(/^jetx_[0-9a-f]{64}$/);
    const r = await fetch(`${server.url}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    await page.reload();
    await expect(page.locator('table.tokens')).toContainText('my script');
    await expect(page.locator('main')).not.toContainText(token);
    await page.screenshot({ path: 'test-results/hosted-account-390.png', fullPage: true });
    // The hosted pages pass axe-core like the others (a11y.spec.ts), at both widths.
    const { AxeBuilder } = await import('@axe-core/playwright');
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 844 });
      for (const p of ['/account', '/login', '/signup']) {
        await openHydrated(page, server.url + p);
        const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(bad.map((v) => `${p} ${width}px: ${v.id}`)).toEqual([]);
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await openHydrated(page, `${server.url}/account`);
    await page.getByRole('button', { name: 'Revoke my script' }).click();
    await expect(page.locator('main')).toContainText('No tokens.');
    const revoked = await fetch(`${server.url}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(revoked.status).toBe(401);
  } finally {
    await done();
  }
});
