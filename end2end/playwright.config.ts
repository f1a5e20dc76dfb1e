import { defineConfig } from '@playwright/test';

// Each test starts its own server on a free port with a throw-away database
// (see tests/fixtures.ts), so no webServer block is needed here.
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // One at a time: the timing tests (Enter → chart, Enter → prediction) must not share the
  // 2 cores with a training job in another worker.
  workers: 1,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1280, height: 900 },
  },
});
