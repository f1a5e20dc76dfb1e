import { test, expect, openHydrated } from './fixtures';

const PAGES: [string, string][] = [
  ['/', 'Dashboard'],
  ['/rounds', 'Rounds'],
  ['/models', 'Models'],
  ['/backtest', 'Backtest'],
  ['/patterns', 'Patterns'],
  ['/analysis', 'Analysis'],
  ['/strategies', 'Strategies'],
  ['/limits', 'Limits and breaks'],
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

test('axe-core finds no serious or critical violation on any page, at 1280 and 390 px, with data', async ({ page, server }) => {
  // Some data, so tables, charts and the prediction panel are on screen.
  let s = 88172645;
  const u = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  const values = Array.from({ length: 600 }, () => Math.min(10000, Math.max(1, Math.floor(97 / u()) / 100)).toFixed(2));
  expect((await server.api('POST', '/api/v1/rounds', { values })).status).toBe(201);
  const { AxeBuilder } = await import('@axe-core/playwright');
  const found: string[] = [];
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    for (const [path] of PAGES) {
      await openHydrated(page, server.url + path);
      await page.waitForLoadState('networkidle');
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      for (const v of result.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          found.push(`${width}px ${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        }
      }
      console.log(`METRIC axe ${width}px ${path} violations=${result.violations.length} passes=${result.passes.length}`);
    }
  }
  expect(found, found.join('\n')).toEqual([]);
});
