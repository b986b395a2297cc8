import { expect, type Page, type TestInfo } from '@playwright/test';
import { javaScriptOn } from './fixtures';
import { DEMO, signIn } from './signin';

/** Opens the Sandbox page as the demo admin (signing in first unless `signedIn`), acting as `person` in `space`. */
export async function openSpace(page: Page, person: string, space: string, signedIn = false): Promise<void> {
  if (!signedIn) await signIn(page, DEMO.admin.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandbox' }).click();
  await page.getByLabel('Person').selectOption({ label: person });
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByLabel('Space').selectOption({ label: space });
  await page.getByRole('button', { name: 'Open' }).click();
}

/** Posts `text` in the open space. */
export async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/**
 * Waits until the space shows `text`. With JavaScript the page polls for the bot's replies;
 * without it, a person reads the space again by reloading.
 */
export async function expectInSpace(page: Page, testInfo: TestInfo, text: string): Promise<void> {
  await eventually(page, testInfo, async (timeout) => {
    await expect(page.getByRole('region', { name: 'Messages' })).toContainText(text, { timeout });
  });
}

/**
 * Waits for something the bot does in the background to show. With JavaScript the page may
 * update itself; without it, the check runs again after each reload.
 */
export async function eventually(
  page: Page,
  testInfo: TestInfo,
  check: (timeout: number) => Promise<void>,
): Promise<void> {
  if (javaScriptOn(testInfo)) {
    await check(10_000);
  } else {
    await reloadUntil(page, check);
  }
}

/** Reloads the page until `check` passes, for pages that do not update themselves. */
export async function reloadUntil(page: Page, check: (timeout: number) => Promise<void>): Promise<void> {
  await expect(async () => {
    await page.reload();
    await check(500);
  }).toPass({ timeout: 10_000 });
}
