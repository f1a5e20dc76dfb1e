// Screenshots of pages at 1280 and 390 px for docs/screens: node screens.mjs URL OUTDIR page…
// (a running `jetx serve`, e.g. with the real history imported).
import { chromium } from '@playwright/test';
const [url, out, ...pages] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const [name, width, height] of [['desktop', 1280, 900], ['phone', 390, 844]]) {
  const page = await browser.newPage({ viewport: { width, height } });
  for (const p of pages) {
    await page.goto(`${url}/${p}`);
    await page.waitForTimeout(2500);
    await page.screenshot({ path: `${out}/${name}-${p}.png`, fullPage: true });
  }
  await page.close();
}
await browser.close();
