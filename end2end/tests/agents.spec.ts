import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';

test('an admin sees every function in every space as a form, with switches and graduation', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'IT alert triage in IT Alerts' })).toHaveValue('live');
  await expect(page.getByRole('combobox', { name: 'Thread summaries in HR Questions' })).toHaveValue('off');
  await expect(page.getByRole('button', { name: 'Save modes' })).toBeVisible();
  const triage = page.getByRole('region', { name: /IT alert triage/ });
  await expect(triage.getByRole('button', { name: 'Switch IT alert triage off' })).toBeVisible();
  await expect(triage).toContainText('graduated');
  await expect(page.getByRole('region', { name: 'Graduation' })).toContainText('until it has 100 approvals at 95% or more');
});

test('a manager reads the agents without a way to change them', async ({ page }) => {
  await signIn(page, DEMO.manager.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  const grid = page.getByRole('table', { name: 'Modes by space' });
  await expect(grid.getByRole('row').filter({ hasText: 'IT Alerts' })).toContainText('live');
  await expect(page.getByRole('combobox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save modes' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Switch .* off/ })).toHaveCount(0);
});
