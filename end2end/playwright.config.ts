import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

// A real `steward serve` on its own port and a fresh SQLite database, in sandbox mode.
const port = Number(process.env.STEWARD_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'steward-e2e-'));
const binary = process.env.STEWARD_E2E_BIN ?? 'target/debug/steward';

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  timeout: 30_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  },
  // The governance story changes the sandbox's shared policy, so it runs after everything else,
  // once per JavaScript setting and one at a time.
  // `make sizes` measures first visits instead (STEWARD_PERF=1): a report, not part of the suite.
  projects: process.env.STEWARD_PERF
    ? [{ name: 'perf', testDir: './perf' }]
    : [
    { name: 'js-on', use: { javaScriptEnabled: true }, testIgnore: /governance|narrow/ },
    { name: 'js-off', use: { javaScriptEnabled: false }, testIgnore: /governance|narrow/ },
    // A phone, 390 px wide: the layout is the stylesheet's alone, so one JavaScript setting does.
    {
      name: 'narrow',
      use: { javaScriptEnabled: true, viewport: { width: 390, height: 844 } },
      testMatch: /narrow/,
    },
    {
      name: 'governance-js-on',
      use: { javaScriptEnabled: true },
      testMatch: /governance/,
      dependencies: ['js-on', 'js-off'],
    },
    {
      name: 'governance-js-off',
      use: { javaScriptEnabled: false },
      testMatch: /governance/,
      dependencies: ['governance-js-on'],
    },
  ],
  webServer: {
    command: `${binary} serve`,
    cwd: '..',
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: {
      STEWARD_BIND: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dataDir}/steward.db`,
      STEWARD_SANDBOX: 'true',
      STEWARD_ADMIN_EMAILS: 'admin@example.com',
      LEPTOS_SITE_ROOT: 'target/site',
      STEWARD_LOG: 'warn',
    },
  },
});
