import { expect, type Page } from '@playwright/test';

/** The demo people of the sandbox and the Steward role each gets. */
export const DEMO = {
  admin: { name: 'Alex Rivera', role: 'admin' },
  reviewer: { name: 'Riley Chen', role: 'reviewer' },
  manager: { name: 'Morgan Patel', role: 'manager' },
  employee: { name: 'Sam Okafor', role: '' },
} as const;

/** Signs in through the sign-in page and the sandbox's consent page, as a person would. */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Webex' }).click();
  await expect(page.getByRole('heading', { name: 'Webex sandbox' })).toBeVisible();
  await page.getByRole('button', { name, exact: true }).click();
}
