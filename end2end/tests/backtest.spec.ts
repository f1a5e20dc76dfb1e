import { test, expect, openHydrated } from './fixtures';

test('a backtest shows its progress, can be cancelled, and its result is kept and re-opened', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await page.locator('header nav a[href="/backtest"]').click();
  await expect(page.locator('#bt-none')).toBeVisible();

  // A slow one (the logistic model refitted before every forecast): progress, then Cancel.
  await page.locator('#bt-every').fill('1');
  await page.locator('#bt-run').click();
  await expect(page.locator('#bt-progress-text')).toContainText(/model 1 of 1 \(logistic\) · fold \d+ of 1,000 · [\d,]+ of 1,000 forecasts/);
  await expect(page.locator('#bt-progress-text')).toContainText('left');
  await expect(page.locator('#bt-run')).toBeDisabled();
  await expect(page.locator('#bt-run')).toHaveText('Running…');
  await page.locator('#bt-cancel').click();
  await expect(page.locator('#bt-state')).toContainText('Cancelled');
  await expect(page.locator('#bt-run')).toBeEnabled();

  // A quick one runs to its result.
  await page.locator('#bt-every').fill('500');
  await page.locator('#bt-models input[value="empirical"]').check();
  await page.locator('#bt-run').click();
  await expect(page.locator('#bt-table tbody tr')).toHaveCount(10, { timeout: 60_000 });
  await expect(page.locator('#bt-state')).toContainText('Done in');

  // Leave and come back: the result is shown again, both jobs are listed.
  await page.locator('header nav a[href="/analysis"]').click();
  await expect(page.locator('#fairness')).toBeVisible();
  await page.locator('header nav a[href="/backtest"]').click();
  await expect(page.locator('#bt-table tbody tr')).toHaveCount(10);
  const rows = page.locator('#bt-history-table tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('done');
  await expect(rows.nth(0)).toContainText('logistic, empirical');
  await expect(rows.nth(1)).toContainText('cancelled');
  await expect(rows.nth(1)).toContainText('refit every 1 ');

  // Coming back shows the newest job's settings in the form.
  await expect(page.locator('#bt-every')).toHaveValue('500');
  await expect(page.locator('#bt-models input[value="empirical"]')).toBeChecked();

  // Re-open the cancelled one: its settings fill the form, ready to run again; then delete it.
  await rows.nth(1).locator('.bt-open').click();
  await expect(page.locator('#bt-state')).toContainText('Cancelled');
  await expect(page.locator('#bt-table')).toHaveCount(0);
  await expect(page.locator('#bt-every')).toHaveValue('1');
  await expect(page.locator('#bt-models input[value="empirical"]')).not.toBeChecked();
  await expect(page.locator('#bt-models input[value="logistic"]')).toBeChecked();
  await expect(page.locator('#bt-refit')).toHaveValue('every');
  await rows.nth(1).locator('.bt-delete').click();
  await expect(rows).toHaveCount(1);
  await expect(page.locator('#bt-job')).toHaveCount(0);

  // A reload opens the newest job; a link names one.
  await page.reload();
  await expect(page.locator('#bt-table tbody tr')).toHaveCount(10);
  const id = await rows.nth(0).getAttribute('data-id');
  await page.goto(`${server.url}/backtest?id=${id}`);
  await expect(page.locator('#bt-job h2')).toContainText(`Backtest #${id}`);
});
