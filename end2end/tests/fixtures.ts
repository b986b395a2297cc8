import { test as base, expect } from '@playwright/test';

/**
 * Every test fails if the page logs an error or the browser reports a Content-Security-Policy
 * violation: a hydrated console must run cleanly under its own CSP.
 */
export const test = base.extend<{ pageErrors: BrowserError[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: BrowserError[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push({ text: message.text(), url: message.location().url });
      });
      page.on('pageerror', (error) => errors.push({ text: error.message, url: page.url() }));
      await use(errors);
      expect(errors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
});

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
