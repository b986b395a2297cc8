import { test as base, expect, type Page } from '@playwright/test';

/**
 * Every test fails if the page logs an error or the browser reports a Content-Security-Policy
 * violation: a hydrated console must run cleanly under its own CSP. A server function that
 * refuses bad input answers 400, which the browser logs too; the page shows that refusal, so it is
 * not counted (anything else from /api/, such as a 500, is).
 */
export const test = base.extend<{ pageErrors: BrowserError[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: BrowserError[] = [];
      collectErrors(page, errors);
      await use(errors);
      expect(errors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
});

/** Records into `errors` what `page` logs as an error, but for 400 refusals from server functions. */
export function collectErrors(page: Page, errors: BrowserError[]): void {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    const refusal = /\/api\//.test(url) && message.text().includes('status of 400');
    if (!refusal) errors.push({ text: message.text(), url });
  });
  page.on('pageerror', (error) => errors.push({ text: error.message, url: page.url() }));
}

export { expect };

/** Something the browser reported as an error, and the address it concerned. */
export interface BrowserError {
  text: string;
  url: string;
}

/** Whether the current project runs with JavaScript. */
export function javaScriptOn(testInfo: { project: { use: { javaScriptEnabled?: boolean } } }): boolean {
  return testInfo.project.use.javaScriptEnabled !== false;
}
