import { expect, javaScriptOn, test } from './fixtures';
import { DEMO, signIn } from './signin';

test('overview shows the installation rendered on the server', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await expect(page).toHaveURL(/\/$/);
  await expect(page).toHaveTitle('Overview · Steward');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('database-engine')).toHaveText('SQLite');
  await expect(page.getByText(/(\d+) of \1 migrations applied/)).toBeVisible();
  await expect(page.getByText('Built-in Webex sandbox (no Webex account needed)')).toBeVisible();
  const runtime = page.getByRole('region', { name: 'Bot runtime' });
  await expect(runtime.getByTestId('dead-letters')).toHaveText('none');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
});

test('every page says it is the sandbox, before and after sign-in', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByTestId('sandbox-banner')).toContainText(
    'anyone who can reach this server can sign in as any demo person',
  );
  await signIn(page, DEMO.admin.name);
  for (const path of ['/', '/audit', '/settings']) {
    await page.goto(path);
    await expect(page.getByTestId('sandbox-banner')).toBeVisible();
  }
});

test('the wasm bundle hydrates the page only when JavaScript is on', async ({ page }, testInfo) => {
  await signIn(page, DEMO.manager.name);
  if (javaScriptOn(testInfo)) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  } else {
    await expect(page.getByTestId('audit-entries')).toBeVisible();
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  }
});

test('verifying the audit chain reports it intact', async ({ page }) => {
  await signIn(page, DEMO.manager.name);
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page).toHaveURL(/\?verify=1$/);
  await expect(page.getByRole('status')).toHaveText(/^Chain intact: \d+ entr(y|ies) verified\.$/);
});

test('an unknown address answers 404 with a way back', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.reviewer.name);
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  // The browser reports the 404 of the document itself; that one is the point of this test.
  const expected = pageErrors.filter((e) => e.url.endsWith('/no/such/page'));
  expect(expected.map((e) => e.text)).toEqual(['Failed to load resource: the server responded with a status of 404 (Not Found)']);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !expected.includes(e)));
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the overview' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
});

test('the console sends people who are not signed in to the sign-in page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Steward' })).toBeVisible();
  await expect(page.getByText('Steward uses your Webex account')).toBeVisible();
});
