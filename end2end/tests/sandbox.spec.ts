import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';

test('the demo admin posts in a sandbox space as another person', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandbox' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sandbox' })).toBeVisible();

  await page.getByLabel('Person').selectOption({ label: 'Sam Okafor' });
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByLabel('Space').selectOption({ label: 'Project Falcon' });
  await page.getByRole('button', { name: 'Open' }).click();
  const messages = page.getByRole('region', { name: 'Messages' });
  await expect(messages).toContainText('Open question: what happens to beta feature flags after GA?');

  const text = `Hello @Steward, checking in ${Date.now()}`;
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  // The mention is rendered as the bot's name, as Webex does.
  await expect(messages).toContainText(text.replace('@Steward', 'Steward'));
  await expect(page.getByLabel('Message', { exact: true })).toHaveValue('');
});

test('people other than admins get no Sandbox page', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.reviewer.name);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandbox' })).toHaveCount(0);
  const response = await page.goto('/sandbox');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('Your role does not allow this.');
  // The browser reports the document's 403; that refusal is what this test is about.
  const refused = pageErrors.filter((e) => e.url.endsWith('/sandbox'));
  expect(refused.map((e) => e.text)).toEqual(['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !refused.includes(e)));
});
