import { expect, test } from './fixtures';
import { javaScriptOn } from './fixtures';
import { DEMO, signIn } from './signin';

// Both projects run at once against one server, so every save here writes the same values.

test('an admin previews redaction rules before saving them, and a broken rule is refused', async ({ page }, testInfo) => {
  await signIn(page, DEMO.admin.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  const section = page.getByRole('region', { name: 'PII redaction' });
  await section.getByLabel('Custom rules, one per line').fill('[employee id] = EMP-\\d{6}');
  await section.getByLabel('Sample text').fill('EMP-123456 wrote from dana@acme.example');
  await section.getByRole('checkbox', { name: 'E-mail addresses' }).check();
  if (!javaScriptOn(testInfo)) {
    await section.getByRole('button', { name: 'Preview' }).click();
  }
  await expect(section.locator('pre')).toHaveText('[employee id] wrote from [email]');

  await section.getByRole('checkbox', { name: 'E-mail addresses' }).uncheck();
  if (!javaScriptOn(testInfo)) {
    await section.getByRole('button', { name: 'Preview' }).click();
  }
  await expect(section.locator('pre')).toHaveText('[employee id] wrote from dana@acme.example');
  await section.getByRole('checkbox', { name: 'E-mail addresses' }).check();

  await section.getByLabel('Custom rules, one per line').fill('[employee id] = EMP-\\d{6}\n[broken] = EMP-(');
  await section.getByRole('button', { name: 'Save redaction rules' }).click();
  await expect(page.getByRole('region', { name: 'PII redaction' }).locator('.field-error').first()).toContainText(
    'line 2: the pattern is not a valid regular expression',
  );

  // Without JavaScript the refused form comes back as last previewed, e-mail unticked.
  await page.getByRole('region', { name: 'PII redaction' }).getByRole('checkbox', { name: 'E-mail addresses' }).check();
  await page.getByRole('region', { name: 'PII redaction' }).getByLabel('Custom rules, one per line').fill('[employee id] = EMP-\\d{6}');
  const saved = page.waitForResponse((response) => response.url().includes('/api/save_redaction'));
  await page.getByRole('region', { name: 'PII redaction' }).getByRole('button', { name: 'Save redaction rules' }).click();
  expect((await saved).status()).toBeLessThan(400);
  await page.goto('/settings');
  await expect(page.getByRole('region', { name: 'PII redaction' }).getByLabel('Custom rules, one per line')).toHaveValue('[employee id] = EMP-\\d{6}\n');
  await expect(page.getByRole('region', { name: 'PII redaction' }).getByRole('checkbox', { name: 'E-mail addresses' })).toBeChecked();
});

test('the sandbox integrations are ready, secrets are never shown, and retention is checked', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.goto('/settings');
  const integrations = page.getByRole('region', { name: 'Integrations' });
  for (const name of ['ServiceNow', 'PagerDuty', 'Jira', 'Generic webhook']) {
    const card = integrations.getByRole('article', { name });
    await expect(card).toContainText('Ready');
    for (const secret of await card.locator('input[type=password]').all()) {
      await expect(secret).toHaveValue('');
    }
  }
  await expect(integrations.getByRole('combobox', { name: 'Escalate proposes to' })).toHaveValue('servicenow');
  await expect(page.locator('body')).not.toContainText('sandbox-servicenow-password');

  const retention = page.getByRole('region', { name: 'Retention' });
  await retention.getByLabel('Keep message text for (days)').fill('0');
  await retention.getByRole('button', { name: 'Save retention' }).click();
  await expect(page.getByRole('region', { name: 'Retention' }).locator('.field-error')).toContainText('between 1 and 3650 days');
  await page.getByRole('region', { name: 'Retention' }).getByLabel('Keep message text for (days)').fill('365');
  await page.getByRole('region', { name: 'Retention' }).getByRole('button', { name: 'Save retention' }).click();
  await expect(page.getByRole('region', { name: 'Retention' })).toContainText('Message text is kept 365 days');
});

test('a reviewer gets no Settings page', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.reviewer.name);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  expect((await page.goto('/settings'))?.status()).toBe(403);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.url.endsWith('/settings')));
});
