import { test, expect, openHydrated, chartPoints, armEnterTimer, HISTORY_CSV } from './fixtures';
import * as fs from 'node:fs';

test('keyboard entry appears in the list, the stats and the chart', async ({ page, server }) => {
  await openHydrated(page, server.url);
  const input = page.locator('#round-input');
  await expect(input).toBeFocused();

  const timings: number[] = [];
  for (const [i, text] of ['1.57', '2,5', 'x12.00', '1.00x'].entries()) {
    const before = Number((await page.locator('#chart-last').getAttribute('data-renders')) ?? '0');
    await input.fill(text);
    const shown = await armEnterTimer(page, '#chart-last', 'data-renders', String(before + 1));
    await input.press('Enter');
    await expect(page.locator('#chart-last')).toHaveAttribute('data-renders', String(before + 1));
    await expect.poll(() => chartPoints(page, 'chart-last')).toBe(i + 1);
    timings.push(await shown());
    await expect(input).toHaveValue('');
    await expect(input).toBeFocused();
  }
  await expect(page.locator('#recent-rounds li').first()).toContainText('1.00x');
  await expect(page.locator('#recent-rounds li')).toHaveCount(4);
  await expect(page.locator('#stat-count .value')).toHaveText('4');
  await expect(page.locator('#stat-share-1-5 .value')).toHaveText('75.0%');
  await expect(page.locator('#stat-share-1-5 .base')).toContainText('64.7%');
  expect(await server.values()).toEqual([1.57, 2.5, 12, 1]);
  timings.sort((a, b) => a - b);
  console.log(`METRIC enter_to_chart_ms median=${timings[2].toFixed(1)} max=${timings[3].toFixed(1)} all=${timings.map((t) => t.toFixed(1)).join(',')}`);
});

test('a bad typed value shows why and stores nothing', async ({ page, server }) => {
  await openHydrated(page, server.url);
  const input = page.locator('#round-input');
  for (const [text, reason] of [
    ['abc', 'not a number'],
    ['1.555', 'more than two decimals'],
    ['0.5', 'below the minimum'],
    ['-2', 'signs are not allowed'],
  ]) {
    await input.fill(text);
    await input.press('Enter');
    await expect(page.locator('#entry-message')).toContainText(`"${text}": ${reason}`);
    await expect(input).toHaveValue(text);
  }
  expect(await server.values()).toEqual([]);
});

test('paste: a bad token is marked and nothing is stored; confirm stores all in order', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#paste-panel summary').click();
  const area = page.locator('#paste-input');
  await area.fill('1.50\n2,00; abc\u20283.10x');
  await expect(page.locator('#paste-problems')).toContainText('value 3 (line 2, column 7) "abc": not a number');
  await expect(page.locator('#paste-valid-count')).toHaveText('3');
  await expect(page.locator('#paste-confirm')).toBeDisabled();
  expect(await server.values()).toEqual([]);

  await area.fill('1.50\n2,00; 7\u20283.10x x1.01');
  await expect(page.locator('#paste-problems li')).toHaveCount(0);
  await page.locator('#paste-confirm').click();
  await expect(page.locator('#paste-status')).toHaveText('Stored 5 rounds, in order.');
  expect(await server.values()).toEqual([1.5, 2, 7, 3.1, 1.01]);
  await expect(page.locator('#stat-count .value')).toHaveText('5');
});

test('undo removes the last round (button and Ctrl+Z)', async ({ page, server }) => {
  await openHydrated(page, server.url);
  const input = page.locator('#round-input');
  for (const v of ['1.20', '3.40', '5.60']) {
    await input.fill(v);
    await input.press('Enter');
    await expect(input).toHaveValue('');
  }
  await expect(page.locator('#stat-count .value')).toHaveText('3');
  await page.locator('#undo-last').click();
  await expect(page.locator('#entry-message')).toContainText('Removed round #3 (5.60x)');
  await expect(page.locator('#stat-count .value')).toHaveText('2');
  await input.focus();
  await input.press('Control+z');
  await expect(page.locator('#entry-message')).toContainText('Removed round #2 (3.40x)');
  expect(await server.values()).toEqual([1.2]);
});

test('CSV import of the real history reports row 6281 and imports the rest on request', async ({ page, server }) => {
  test.skip(!fs.existsSync(HISTORY_CSV), 'shared history not present');
  await openHydrated(page, `${server.url}/rounds`);
  await page.locator('#import-file').setInputFiles(HISTORY_CSV);
  await expect(page.locator('#import-summary')).toHaveText("Read 7000 rows as csv: 6999 readable, 1 cannot be read. The file's round ids are kept with the rounds.");
  await expect(page.locator('#import-faults li')).toHaveCount(1);
  await expect(page.locator('#import-faults li')).toContainText('row 6281 (line 6282, id 6281)');
  await expect(page.locator('#import-faults li')).toContainText('holds 2 values separated by a Unicode line separator (U+2028)');

  await page.locator('#import-cancel').click();
  await expect(page.locator('#import-status')).toHaveText('Nothing was imported.');
  expect((await server.api('GET', '/api/v1/rounds?limit=1')).json.total).toBe(0);

  await page.locator('#import-file').setInputFiles(HISTORY_CSV);
  await expect(page.locator('#import-confirm')).toHaveText('Import the 6999 readable rows, skip 1');
  const t0 = Date.now();
  await page.locator('#import-confirm').click();
  await expect(page.locator('#import-status')).toHaveText('Stored 6999 rounds from the file.');
  console.log(`METRIC import_7000_csv_browser_ms=${Date.now() - t0}`);
  await expect(page.locator('#page-range')).toHaveText('1–50 of 6999 (newest first)');
  const stored = (await server.api('GET', '/api/v1/rounds?limit=3')).json;
  expect(stored.total).toBe(6999);
  expect(stored.rounds.map((r: any) => r.value)).toEqual([291, 264, 3506]);
  // The file's own ids stay with the rounds, shown in the list.
  expect(stored.rounds.map((r: any) => r.source_id)).toEqual(['7000', '6999', '6998']);
  await expect(page.locator('#rounds-table tbody tr').first()).toContainText('import (id 7000)');
});

test('data survives a server restart', async ({ page, server }) => {
  await openHydrated(page, server.url);
  const input = page.locator('#round-input');
  for (const v of ['4.44', '1.11']) {
    await input.fill(v);
    await input.press('Enter');
    await expect(input).toHaveValue('');
  }
  await server.stop();
  await server.start();
  await openHydrated(page, server.url);
  await expect(page.locator('#stat-count .value')).toHaveText('2');
  await expect(page.locator('#recent-rounds li').first()).toContainText('1.11x');
  expect(await server.values()).toEqual([4.44, 1.11]);
});

test('demo data is labelled synthetic and can be removed', async ({ page, server }) => {
  await openHydrated(page, server.url);
  await page.locator('#load-demo').click();
  await expect(page.locator('#demo-banner')).toContainText('Synthetic demo data.');
  await expect(page.locator('#demo-banner')).toContainText('seed 42, house edge 3.0%');
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await expect.poll(() => chartPoints(page, 'chart-last')).toBe(200);
  await page.locator('#last-n').selectOption('500');
  await expect.poll(() => chartPoints(page, 'chart-last')).toBe(500);
  await page.locator('#round-input').fill('2.00');
  await page.locator('#round-input').press('Enter');
  await expect(page.locator('#entry-message')).toContainText('remove it first');
  await expect(page.locator('#stat-count .value')).toHaveText('2000');
  await page.locator('#remove-demo').click();
  await expect(page.locator('#empty-banner')).toBeVisible();
  expect((await server.api('GET', '/api/v1/rounds?limit=1')).json.total).toBe(0);
});

test('rounds page: edit and delete a round', async ({ page, server }) => {
  await server.api('POST', '/api/v1/rounds', { values: ['1.10', '2.20', '3.30'] });
  await openHydrated(page, `${server.url}/rounds`);
  const row = page.locator('#rounds-table tbody tr').nth(1); // newest first: 2.20
  await expect(row).toContainText('2.20x');
  await row.locator('button.edit').click();
  await row.locator('input.edit-value').fill('2.255');
  await row.locator('button.save').click();
  await expect(row).toContainText('more than two decimals');
  await row.locator('input.edit-value').fill('2.25');
  await row.locator('button.save').click();
  await expect(row).toContainText('2.25x');
  await page.locator('#rounds-table tbody tr').first().locator('button.delete').click();
  await page.locator('#rounds-table tbody tr').first().locator('button.confirm-delete').click();
  await expect(page.locator('#page-range')).toHaveText('1–2 of 2 (newest first)');
  expect(await server.values()).toEqual([1.1, 2.25]);
});

test('rounds page by keyboard: Edit focuses the input, Esc cancels and returns focus, errors are marked, buttons name their round', async ({ page, server }) => {
  await server.api('POST', '/api/v1/rounds', { values: ['1.10', '2.20', '3.30'] });
  await openHydrated(page, `${server.url}/rounds`);
  const row = page.locator('#rounds-table tbody tr').nth(1); // newest first: round 2, 2.20
  const edit = page.getByRole('button', { name: 'Edit round 2 (2.20x)' });
  await expect(edit).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete round 3 (3.30x)' })).toBeVisible();
  await edit.focus();
  await page.keyboard.press('Enter');
  const input = page.getByRole('textbox', { name: 'New value of round 2' });
  await expect(input).toBeFocused();
  await page.keyboard.type('9.99');
  await page.keyboard.press('Escape');
  await expect(row).toContainText('2.20x');
  await expect(page.getByRole('button', { name: 'Edit round 2 (2.20x)' })).toBeFocused();
  expect(await server.values()).toEqual([1.1, 2.2, 3.3]);
  // A bad value is marked and kept for correction; a good one is stored and focus returns.
  await page.keyboard.press('Enter');
  await expect(input).toBeFocused();
  await input.fill('abc');
  await page.keyboard.press('Enter');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await input.fill('2.40');
  await page.keyboard.press('Enter');
  await expect(row).toContainText('2.40x');
  await expect(page.getByRole('button', { name: 'Edit round 2 (2.40x)' })).toBeFocused();
  expect(await server.values()).toEqual([1.1, 2.4, 3.3]);
});

test('a file whose rounds are already stored is named before anything is stored, and only its new rounds can be kept', async ({ page, server }) => {
  const values = Array.from({ length: 120 }, (_, i) => (1 + ((i * 7919) % 997) / 100).toFixed(2));
  const file = (vs: string[]) => ({ name: 'export.csv', mimeType: 'text/csv', buffer: Buffer.from(`value\n${vs.join('\n')}\n`) });
  await openHydrated(page, `${server.url}/rounds`);
  await page.locator('#import-file').setInputFiles(file(values.slice(0, 100)));
  await expect(page.locator('#import-summary')).toHaveText('Read 100 rows as csv: 100 readable, 0 cannot be read.');
  await expect(page.locator('#import-duplicates')).toHaveCount(0);
  await page.locator('#import-confirm').click();
  await expect(page.locator('#import-status')).toHaveText('Stored 100 rounds from the file.');

  // A newer export: the same 100 rounds, then 20 new ones.
  await page.locator('#import-file').setInputFiles(file(values));
  await expect(page.locator('#import-duplicates')).toHaveText(
    "100 of these rounds are already stored: the file's rounds 1–100 are rounds 1–100 of your history. Importing them again would count them twice.",
  );
  await expect(page.locator('#import-confirm')).toHaveText('Import all 120 anyway');
  await expect(page.locator('#import-new-only')).toHaveText('Import only the 20 new rounds');
  await page.screenshot({ path: test.info().outputPath('import-duplicates.png'), fullPage: true });
  await page.locator('#import-new-only').click();
  await expect(page.locator('#import-status')).toHaveText('Stored 20 new rounds from the file; 100 already stored were skipped.');
  expect(await server.values()).toEqual(values.map(Number));

  // The same file again: nothing new to keep.
  await page.locator('#import-file').setInputFiles(file(values));
  await expect(page.locator('#import-new-only')).toBeDisabled();
  await page.locator('#import-cancel').click();
  expect((await server.values()).length).toBe(120);
});

test('a field holding two rounds (U+2028) is split into them in the preview, before anything is stored', async ({ page, server }) => {
  const file = { name: 'x.csv', mimeType: 'text/csv', buffer: Buffer.from('value\n1.50\n2.29\u20281.29\n3.00\n') };
  await openHydrated(page, `${server.url}/rounds`);
  await page.locator('#import-file').setInputFiles(file);
  await expect(page.locator('#import-summary')).toHaveText('Read 3 rows as csv: 2 readable, 1 cannot be read.');
  await page.locator('#import-split-fields').click();
  await expect(page.locator('#import-summary')).toHaveText('Read 3 rows as csv: 4 readable, 0 cannot be read.');
  await expect(page.locator('#import-split')).toHaveText('1 field split into its values.');
  expect((await server.api('GET', '/api/v1/rounds?limit=1')).json.total).toBe(0);
  await page.locator('#import-confirm').click();
  await expect(page.locator('#import-status')).toHaveText('Stored 4 rounds from the file.');
  expect(await server.values()).toEqual([1.5, 2.29, 1.29, 3]);
});

test('an older history is put before the stored rounds when the player says so, and suggested when the file ends where the history starts', async ({ page, server }) => {
  const values = Array.from({ length: 90 }, (_, i) => (1 + ((i * 7919) % 997) / 100).toFixed(2));
  const file = (vs: string[]) => ({ name: 'older.csv', mimeType: 'text/csv', buffer: Buffer.from(`value\n${vs.join('\n')}\n`) });
  await openHydrated(page, `${server.url}/rounds`);
  await page.locator('#import-file').setInputFiles(file(values.slice(60)));
  await expect(page.locator('#import-place-after')).toBeChecked();
  await page.locator('#import-confirm').click();
  await expect(page.locator('#import-status')).toHaveText('Stored 30 rounds from the file.');

  // An older export that ends with the first 10 stored rounds: "before" is preselected.
  await page.locator('#import-file').setInputFiles(file(values.slice(0, 70)));
  await expect(page.locator('#import-duplicates')).toContainText("the file's rounds 61–70 are rounds 1–10 of your history");
  await expect(page.locator('#import-place-before')).toBeChecked();
  await page.locator('#import-new-only').click();
  await expect(page.locator('#import-status')).toHaveText('Stored 60 new rounds from the file, before your oldest round; 10 already stored were skipped.');
  expect(await server.values()).toEqual(values.map(Number));

  // Chosen by hand: the file goes first although nothing suggests it.
  await page.locator('#import-file').setInputFiles(file(['5.00', '6.00']));
  await expect(page.locator('#import-place-after')).toBeChecked();
  await page.getByLabel('before them (an older history)').check();
  await page.locator('#import-confirm').click();
  await expect(page.locator('#import-status')).toHaveText('Stored 2 rounds from the file, before your oldest round.');
  expect(await server.values()).toEqual([5, 6, ...values.map(Number)]);
  // The rounds list numbers them from the oldest: the newest is round 92.
  await expect(page.locator('table.rounds tbody tr').first().locator('td').first()).toHaveText('92');
});
