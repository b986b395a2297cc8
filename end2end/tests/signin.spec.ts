import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';

for (const person of [DEMO.admin, DEMO.reviewer, DEMO.manager]) {
  test(`the demo ${person.role} signs in through the sandbox consent page`, async ({ page }) => {
    await signIn(page, person.name);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('viewer')).toHaveText(person.name);
    await expect(page.getByText(person.role, { exact: true })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' })).toBeVisible();
  });
}

test('a person without a Steward role is told to ask an admin', async ({ page }) => {
  await signIn(page, DEMO.employee.name);
  await expect(page).toHaveURL(/\/no-role$/);
  await expect(page.getByRole('heading', { level: 1, name: "You don't have access yet" })).toBeVisible();
  await expect(page.getByText('sam.okafor@acme.example')).toBeVisible();
  await page.goto('/');
  await expect(page).toHaveURL(/\/no-role$/);
});

test('cancelling at the consent page signs nobody in', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Webex' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/login\?error=cancelled$/);
  await expect(page.getByRole('alert')).toHaveText(/Sign-in was cancelled/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByText('You are signed out.')).toBeVisible();
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});
