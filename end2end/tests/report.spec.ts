import { test, expect, openHydrated } from './fixtures';
import * as fs from 'fs';

test('tooltips say what a point is: round #N and its multiplier, shares as percentages with the n behind them', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  const last = page.locator('#chart-last');
  await expect(last).toHaveAttribute('data-renders', /\d+/);
  // Hover the middle of the plot: the axis tooltip names the round and the multiplier.
  await last.scrollIntoViewIfNeeded();
  const box = (await last.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tip = last.locator('div').filter({ hasText: /^round #[\d,]+/ });
  await expect(tip.first()).toBeVisible();
  await expect(tip.first()).toContainText(/multiplier: \d+\.\d\dx|multiplier: [\d,]+x/);
  // The survival curve: a probability as a percentage, with the rounds behind it.
  const surv = page.locator('#chart-survival');
  await surv.scrollIntoViewIfNeeded();
  await expect(surv).toHaveAttribute('data-renders', /\d+/);
  const sbox = (await surv.boundingBox())!;
  await page.mouse.move(sbox.x + sbox.width * 0.3, sbox.y + sbox.height / 2);
  const stip = surv.locator('div').filter({ hasText: /^x: / });
  await expect(stip.first()).toContainText(/observed: \d+(\.\d+)?% · n = [\d,]+/);
});

test('the analysis page downloads the report: one HTML file with the hash the page shows, that runs no script', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await page.goto(`${server.url}/analysis`);
  const hash = await page.locator('#fairness .provenance').getAttribute('data-sha256');
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#report-download').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^jetx-report-\d{8}-\d{4}\.html$/);
  const html = fs.readFileSync((await download.path())!, 'utf8');
  expect(html).toContain(`<code id="report-sha256">${hash}</code>`);
  expect(html).not.toContain('<script');
  // Opened on its own (scripts off), it shows its charts and their numbers.
  const ctx = await page.context().browser()!.newContext({ javaScriptEnabled: false });
  const view = await ctx.newPage();
  await view.setContent(html);
  await expect(view.locator('#report-fairness svg').first()).toBeVisible();
  await expect(view.locator('#report-patterns')).toContainText('Pattern scan');
  const rows = await view.locator('#report-fairness table.chart-table').count();
  expect(rows).toBeGreaterThan(3);
  await ctx.close();
});

test('the strategy lab downloads its run in the report, the same numbers as on the page', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await page.goto(`${server.url}/strategies`);
  await page.locator('#st-paths').fill('500');
  await page.locator('#st-run').click();
  await expect(page.locator('#st-result')).toBeVisible();
  const cells = (root: any) =>
    root.locator('#st-table tbody td').evaluateAll((tds: Element[]) => tds.map((td) => td.textContent));
  const table = await cells(page);
  expect(table.length).toBeGreaterThan(10);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#st-report-download').click(),
  ]);
  await expect(page.locator('#st-report-saved')).toContainText('Saved jetx-report-');
  const html = fs.readFileSync((await download.path())!, 'utf8');
  const ctx = await page.context().browser()!.newContext({ javaScriptEnabled: false });
  const view = await ctx.newPage();
  await view.setContent(html);
  expect(await cells(view.locator('#report-strategy'))).toEqual(table);
  await expect(view.locator('#report-strategy svg')).toHaveCount(2);
  await ctx.close();
});
