import { test, type CDPSession, type Page } from '@playwright/test';
import { DEMO, signIn } from '../tests/signin';

/**
 * What a first visit to the console costs: for the Overview and Audit pages, the bytes
 * transferred (compressed, as on the wire, with an empty cache) and the time from navigation to
 * the load event and to hydration, with the CPU throttled 4× through Chromium's DevTools protocol.
 * The same pages with JavaScript off are the baseline: what the server-rendered page alone costs.
 * `make sizes` runs it (STEWARD_PERF=1); it reports and does not fail on figures.
 */
const PAGES = [
  { name: 'Overview', path: '/' },
  { name: 'Audit', path: '/audit' },
];
const THROTTLE = 4;
const RUNS = 3;

interface Visit {
  bytes: number;
  loadMs: number;
  hydratedMs?: number;
}

test('first page: bytes and time to hydration, JavaScript on beside off', async ({ browser }) => {
  test.setTimeout(120_000);
  const rows: string[] = [];
  for (const { name, path } of PAGES) {
    for (const javaScriptEnabled of [false, true]) {
      const visits: Visit[] = [];
      for (let run = 0; run < RUNS; run++) {
        // A fresh context per visit: an empty cache, as a first visit has.
        const context = await browser.newContext({ javaScriptEnabled });
        await context.addInitScript(markHydration);
        const page = await context.newPage();
        await signIn(page, DEMO.admin.name);
        await page.waitForURL((url) => url.pathname === '/');
        visits.push(await visit(page, path, javaScriptEnabled));
        await context.close();
      }
      const median = (pick: (v: Visit) => number | undefined) => {
        const values = visits.map(pick).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
        return values.length ? values[Math.floor(values.length / 2)] : undefined;
      };
      const bytes = median((v) => v.bytes) ?? 0;
      const load = median((v) => v.loadMs) ?? 0;
      const hydrated = median((v) => v.hydratedMs);
      rows.push(
        [
          name.padEnd(10),
          (javaScriptEnabled ? `on, ${THROTTLE}× CPU` : `off (baseline), ${THROTTLE}× CPU`).padEnd(26),
          `${(bytes / 1000).toFixed(1)} KB`.padStart(11),
          `${load.toFixed(0)} ms`.padStart(9),
          (hydrated === undefined ? '—' : `${hydrated.toFixed(0)} ms`).padStart(10),
        ].join(' '),
      );
    }
  }
  const header = `${'page'.padEnd(10)} ${'JavaScript'.padEnd(26)} ${'transferred'.padStart(11)} ${'load'.padStart(9)} ${'hydrated'.padStart(10)}`;
  console.log(`\nfirst visit, median of ${RUNS}, cache empty\n${header}\n${rows.join('\n')}`);
});

/** Loads `path` in `page` (already signed in) with an empty cache and the CPU throttled. */
async function visit(page: Page, path: string, javaScriptEnabled: boolean): Promise<Visit> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Page.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  const timings = record(cdp);
  await page.goto(path, { waitUntil: 'load' });
  let hydratedMs: number | undefined;
  if (javaScriptEnabled) {
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    hydratedMs = (await timings.hydrated()) ?? undefined;
  }
  // Requests the page makes after hydrating count too: wait until the network is quiet.
  await page.waitForLoadState('networkidle');
  return { bytes: timings.bytes(), loadMs: timings.loadMs(), hydratedMs };
}

/** Listens on `cdp` for the transferred bytes, the document's request and the load event. */
function record(cdp: CDPSession) {
  let bytes = 0;
  let start: number | undefined;
  let load: number | undefined;
  cdp.on('Network.requestWillBeSent', (event) => {
    if (start === undefined && event.type === 'Document') start = event.timestamp;
  });
  cdp.on('Network.loadingFinished', (event) => {
    bytes += event.encodedDataLength;
  });
  cdp.on('Page.loadEventFired', (event) => {
    load ??= event.timestamp;
  });
  return {
    bytes: () => bytes,
    loadMs: () => ((load ?? 0) - (start ?? 0)) * 1000,
    // The time the page's own clock gives for the moment the body was marked hydrated, measured
    // from its navigation start, by the observer below.
    hydrated: async () => {
      const result = await cdp.send('Runtime.evaluate', {
        expression: 'window.__stewardHydratedAt ?? null',
        returnByValue: true,
      });
      return result.result.value as number | null;
    },
  };
}

/** Runs in the page before its own scripts: notes when the console marks the body hydrated. */
function markHydration() {
  new MutationObserver((_, observer) => {
    if (document.body?.hasAttribute('data-hydrated')) {
      (window as unknown as { __stewardHydratedAt: number }).__stewardHydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
}
