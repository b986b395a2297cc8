import { type Page, type TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';
import { expectInSpace, openSpace, reloadUntil, send } from './space';

/** Posts a disk alert in IT Alerts as Sam, clicks Escalate on its card, and returns its marker. */
async function escalateAlert(page: Page, testInfo: TestInfo, label: string): Promise<string> {
  const check = `${label}-${testInfo.project.name}-${Date.now().toString(36)}`;
  await openSpace(page, 'Sam Okafor', 'IT Alerts');
  await send(page, `@Steward [Triggered] Disk full on db-07: no space left on device, check ${check}`);
  // Its card, not a later alert's card that lists it among similar earlier alerts.
  const headline = `Critical alert: [Triggered] Disk full on db-07: no space left on device, check ${check}`;
  const card = page
    .getByRole('listitem')
    .filter({ hasText: headline })
    .filter({ has: page.getByRole('button', { name: 'Escalate' }) });
  await expectInSpace(page, testInfo, headline);
  await card.getByRole('button', { name: 'Escalate' }).click();
  // Another test may escalate in this space at the same time, so the proposal itself is awaited
  // on the Actions page (see `openProposal`).
  await expectInSpace(page, testInfo, 'Steward proposes to create a ServiceNow incident; it waits for approval');
  return check;
}

/** Opens the Actions page and waits until the proposal about `check` is listed. */
async function openProposal(page: Page, check: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Actions' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Actions' })).toBeVisible();
  await reloadUntil(page, async (timeout) => {
    await expect(proposal(page, check)).toBeVisible({ timeout });
  });
  return proposal(page, check);
}

/** The proposal about the alert marked `check` on the Actions page. */
function proposal(page: Page, check: string) {
  return page.getByRole('article').filter({ hasText: check });
}

test('an escalated alert waits for approval, then the incident is created and reported in its thread', async ({ page }, testInfo) => {
  const check = await escalateAlert(page, testInfo, 'approve');
  const card = await openProposal(page, check);
  await expect(card).toContainText('ServiceNow');
  // The exact request it will send, without credentials.
  await expect(card.locator('pre')).toContainText('"short_description": "[Critical] [Triggered] Disk full on db-07');
  await expect(card.locator('pre')).toContainText('"correlation_id": "steward-alert-');
  await card.getByRole('button', { name: 'Approve: create a ServiceNow incident' }).click();
  await expect(proposal(page, check)).toHaveCount(0);

  const row = page.getByRole('row').filter({ hasText: check });
  await reloadUntil(page, async (timeout) => {
    await expect(row.getByRole('link', { name: /^INC\d{7}$/ })).toBeVisible({ timeout });
  });
  await expect(row).toContainText('succeeded');
  await expect(row).toContainText(DEMO.admin.name);
  const incident = await row.getByRole('link', { name: /^INC\d{7}$/ }).textContent();

  await openSpace(page, 'Sam Okafor', 'IT Alerts', true);
  await expectInSpace(page, testInfo, `Created ServiceNow incident ${incident}, approved by ${DEMO.admin.name}.`);
});

test('a reviewer must say why an action is rejected, and the thread hears the reason', async ({ page, browser }, testInfo) => {
  const check = await escalateAlert(page, testInfo, 'reject');
  const reviewer = await browser.newPage({ javaScriptEnabled: testInfo.project.use.javaScriptEnabled });
  await signIn(reviewer, DEMO.reviewer.name);
  const card = await openProposal(reviewer, check);
  await card.getByRole('button', { name: 'Reject' }).click();
  await expect(proposal(reviewer, check).locator('.field-error')).toHaveText('Say why the action is rejected.');

  await proposal(reviewer, check).getByRole('textbox', { name: /Reason to reject action/ }).fill(`Handled on the bridge call (${check})`);
  await proposal(reviewer, check).getByRole('button', { name: 'Reject' }).click();
  await expect(proposal(reviewer, check)).toHaveCount(0);
  const row = reviewer.getByRole('row').filter({ hasText: check });
  await expect(row).toContainText('rejected');
  await expect(row).toContainText(`Handled on the bridge call (${check})`);
  await reviewer.close();

  await expectInSpace(
    page,
    testInfo,
    `${DEMO.reviewer.name} declined to create a ServiceNow incident: Handled on the bridge call (${check})`,
  );
});

test('a manager gets no Actions page', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.manager.name);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Actions' })).toHaveCount(0);
  expect((await page.goto('/actions'))?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('Your role does not allow this.');
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.url.endsWith('/actions')));
});
