import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';

test('a manager searches the audit log, exports what they see and verifies the chain', async ({ page }) => {
  await signIn(page, DEMO.manager.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();

  await page.getByRole('searchbox', { name: 'Words' }).fill('sign_in morgan');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/q=sign_in\+morgan|q=sign_in%20morgan/);
  const entries = page.getByRole('table', { name: 'Entries, newest first' });
  await expect(entries.getByRole('row').nth(1)).toContainText('session.sign_in');
  await expect(entries.getByRole('row').nth(1)).toContainText('morgan.patel@acme.example');

  const csv = await page.request.get(await page.getByRole('link', { name: 'CSV' }).getAttribute('href') ?? '');
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split('\n');
  expect(lines[0]).toBe('seq,at,actor,actor_id,action,target,function,space,space_id,decision,before,after,prev_hash,hash');
  expect(lines.slice(1).every((l) => l.includes('session.sign_in'))).toBe(true);

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status')).toContainText(/Chain intact: \d+ entr/);
});

test('a reviewer gets no audit log', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.reviewer.name);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' })).toHaveCount(0);
  const response = await page.goto('/audit');
  expect(response?.status()).toBe(403);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.url.endsWith('/audit')));
});
