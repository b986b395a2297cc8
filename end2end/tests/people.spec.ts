import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';

test('an admin gives someone a role and takes it away again', async ({ page }, testInfo) => {
  const email = `${testInfo.project.name}-${Date.now().toString(36)}@acme.example`;
  await signIn(page, DEMO.admin.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'People and roles' })).toBeVisible();

  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('combobox', { name: 'Role' }).selectOption('reviewer');
  await page.getByRole('button', { name: 'Give role' }).click();
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('reviewer');
  await expect(row).toContainText('not signed in yet');

  await row.getByRole('button', { name: `Take reviewer from ${email}` }).click();
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('no role');
});

test('an address the server cannot use is refused next to its field', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.goto('/people');
  await page.getByLabel('E-mail').fill('someone@localhost');
  await page.getByRole('button', { name: 'Give role' }).click();
  await expect(page.locator('.field-error')).toHaveText('`someone@localhost` is not a valid e-mail address');
  await expect(page.getByRole('row').filter({ hasText: 'someone@localhost' })).toHaveCount(0);
});

test('a manager gets no People page', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.manager.name);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' })).toHaveCount(0);
  const response = await page.goto('/people');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('Your role does not allow this.');
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.url.endsWith('/people')));
});
