import { test, expect, openHydrated } from './fixtures';

const PAGES: [string, string][] = [
  ['/', 'Dashboard'],
  ['/rounds', 'Rounds'],
  ['/models', 'Models'],
  ['/backtest', 'Backtest'],
  ['/patterns', 'Patterns'],
  ['/analysis', 'Analysis'],
];

test('every page has one h1, its own title, and a skip link as the first stop of the keyboard', async ({ page, server }) => {
  const titles = new Set<string>();
  for (const [path, name] of PAGES) {
    await openHydrated(page, server.url + path);
    await expect(page.locator('h1')).toHaveCount(1);
    await expect(page.locator('h1')).toHaveText(name);
    await expect(page).toHaveTitle(`${name} · JetX Predictor`);
    titles.add(await page.title());
    // The skip link is the first stop of the keyboard: first focusable in document order.
    const first = await page.evaluate(() =>
      document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')?.className,
    );
    expect(first).toBe('skip-link');
    await page.locator('.skip-link').focus();
    await expect(page.locator('.skip-link')).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();
  }
  expect(titles.size).toBe(PAGES.length);
});

test('filled buttons have text contrast of at least 4.5:1', async ({ page, server }) => {
  await openHydrated(page, server.url);
  const ratio = await page.evaluate(() => {
    const lum = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) || []).slice(0, 3).map(Number).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const s = getComputedStyle(document.querySelector('#add-round') as Element);
    const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
  expect(ratio).toBeGreaterThanOrEqual(4.5);
});
