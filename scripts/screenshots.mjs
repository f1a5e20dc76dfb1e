// Takes Chromium screenshots of the app's pages at desktop and phone widths.
// Usage: node scripts/screenshots.mjs http://127.0.0.1:3000 out-dir
import { createRequire } from 'node:module';
const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

const [base = 'http://127.0.0.1:3000', out = 'target/screenshots'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}] console: ${m.text()}`); });
  page.on('pageerror', (e) => console.log(`[${name}] page error: ${e}`));
  for (const path of ['/', '/rounds', '/models', '/backtest', '/patterns', '/analysis']) {
    await page.goto(base + path);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 15000 });
    if (path === '/backtest' && !process.env.SKIP_BACKTEST) {
      await page.click('#bt-run');
      await page.waitForSelector('#chart-bt-folds[data-renders]', { timeout: 120000 });
    }
    await page.waitForTimeout(800); // let chart animations settle
    const file = `${out}/${name}${path === '/' ? '-dashboard' : path.replace(/\//g, '-')}.png`;
    await page.screenshot({ path: file, fullPage: true });
    console.log(file);
  }
  await page.close();
}
await browser.close();
