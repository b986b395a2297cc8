import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';

test('a reviewer reads the versions and compares them, without a way to change them', async ({ page }) => {
  await signIn(page, DEMO.reviewer.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prompts' }).click();
  await page.getByRole('navigation', { name: 'Agent functions' }).getByRole('link', { name: 'Thread summaries' }).click();
  await expect(page.getByTestId('released-version')).toContainText(/Runs v\d+/);
  const versions = page.getByRole('table', { name: 'Versions of Thread summaries' });
  await expect(versions.getByRole('row').filter({ hasText: "Steward's built-in prompt." })).toContainText('v1');
  await expect(page.getByRole('button', { name: 'Save version' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Release v/ })).toHaveCount(0);

  await page.getByRole('combobox', { name: 'From' }).selectOption('1');
  await page.getByRole('combobox', { name: 'To' }).selectOption('1');
  await page.getByRole('button', { name: 'Compare' }).click();
  const diff = page.getByRole('region', { name: 'Changes from v1 to v1' });
  await expect(diff).toContainText('The two versions are the same.');
  await expect(diff).toContainText('{{messages}}');
});

test('a manager gets no Prompts page', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.manager.name);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prompts' })).toHaveCount(0);
  const response = await page.goto('/prompts');
  expect(response?.status()).toBe(403);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.url.endsWith('/prompts')));
});
