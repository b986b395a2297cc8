import { expect, test } from './fixtures';
import { expectInSpace, openSpace, send } from './space';

test('mentioning the bot with summarize in the project space posts the summary in its thread', async ({ page }, testInfo) => {
  await openSpace(page, 'Sam Okafor', 'Project Falcon');
  await send(page, '@Steward summarize');
  await expectInSpace(page, testInfo, 'Summary of the last 100 messages of this space');
  const summary = page.getByRole('listitem').filter({ hasText: 'Summary of the last 100 messages' }).last();
  await expect(summary).toHaveClass(/reply/);
  await expect(summary).toContainText('Steward');
  await expect(summary).toContainText('The beta stays invite-only; a public announcement waits for GA. (Jordan Lee)');
  await expect(summary).toContainText('Morgan Patel: confirm the GA date with leadership, by end of month');
  await expect(summary).toContainText('What happens to beta feature flags after GA? (Priya Shah)');
});

test('an alert gets a triage card, and Acknowledge is answered in its thread', async ({ page }, testInfo) => {
  const check = `${testInfo.project.name}-${Date.now().toString(36)}`;
  await openSpace(page, 'Sam Okafor', 'IT Alerts');
  await send(page, `@Steward [Triggered] Disk full on web-01: no space left on device (/var), check ${check}`);
  await expectInSpace(page, testInfo, `Critical alert: [Triggered] Disk full on web-01: no space left on device (/var), check ${check}`);

  // Its card, not a later alert's card that lists it among similar earlier alerts.
  const card = page
    .getByRole('listitem')
    .filter({ hasText: `Critical alert: [Triggered] Disk full on web-01: no space left on device (/var), check ${check}` })
    .filter({ has: page.getByRole('button', { name: 'Acknowledge' }) });
  await expect(card.getByRole('definition').first()).toHaveText('Critical');
  await expect(card).toContainText('web-01');
  await expect(card).toContainText('Similar earlier alerts');
  await card.getByRole('button', { name: 'Acknowledge' }).click();
  await expectInSpace(page, testInfo, 'Sam Okafor acknowledged this alert.');
});

test('the bot says what it does in a space when asked for help', async ({ page }, testInfo) => {
  await openSpace(page, 'Jordan Lee', 'HR Questions');
  await send(page, '@Steward help');
  await expectInSpace(page, testInfo, 'No Steward agent function is enabled in this space yet.');
});
