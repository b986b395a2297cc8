import { readFileSync } from 'node:fs';
import { expect, javaScriptOn, test } from './fixtures';
import { DEMO, signIn } from './signin';
import { expectInSpace, openSpace, reloadUntil, send } from './space';

// What a first-time admin, reviewer and manager trip over, each checked as they would meet it.

test('the audit exports download, name people and spaces, and the actor filter takes a name or e-mail', async ({ page }) => {
  await signIn(page, DEMO.manager.name);
  await page.goto('/audit?actor=Morgan+Patel');
  const entries = page.getByRole('table', { name: 'Entries, newest first' });
  await expect(entries.getByRole('row').nth(1)).toContainText(DEMO.manager.name);
  await expect(page.getByRole('textbox', { name: 'Actor' })).toHaveValue('Morgan Patel');

  await page.goto('/audit?actor=morgan.patel%40acme.example');
  await expect(entries.getByRole('row').nth(1)).toContainText(DEMO.manager.name);
  await expect(page.locator('.field-error')).toHaveCount(0);

  await page.goto('/audit?actor=Nobody+Here');
  await expect(page.locator('.field-error')).toContainText('No one called “Nobody Here”');

  await page.goto('/audit?q=sign_in+morgan');
  const downloaded = page.waitForEvent('download');
  await page.getByRole('link', { name: 'CSV' }).click();
  const download = await downloaded;
  expect(download.suggestedFilename()).toBe('steward-audit.csv');
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('seq,at,actor,actor_id,action,target,function,space,space_id,decision,before,after,prev_hash,hash');
  expect(csv[1]).toContain(`,${DEMO.manager.name},user:`);

  const jsonl = page.waitForEvent('download');
  await page.getByRole('link', { name: 'JSON lines' }).click();
  const lines = readFileSync(await (await jsonl).path(), 'utf8').trim().split('\n');
  const first = JSON.parse(lines[0]);
  expect(first.actor).toBe(DEMO.manager.name);
  expect(first.actor_id).toMatch(/^user:\d+$/);
});

test('a space in review mode tells the asker that a reviewer looks first, and again if it is declined', async ({ page, browser }, testInfo) => {
  // The count marks this project's request (the other projects ask for other counts).
  const count = javaScriptOn(testInfo) ? 60 : 70;
  await openSpace(page, 'Jordan Lee', 'IT Help');
  await send(page, `@Steward summarize ${count}`);
  const asked = page.getByRole('listitem').filter({ hasText: `Steward summarize ${count}` }).last();
  const notice = asked.locator('xpath=following-sibling::li[1]');
  await reloadUntil(page, async (timeout) => {
    await expect(notice).toContainText('A reviewer checks my answer before I post it here.', { timeout });
  });

  const reviewer = await browser.newPage({ javaScriptEnabled: javaScriptOn(testInfo) });
  await signIn(reviewer, DEMO.reviewer.name);
  await reviewer.goto('/review');
  const card = reviewer.getByRole('article').filter({ hasText: `summarize ${count}` });
  await reloadUntil(reviewer, async (timeout) => {
    await expect(card).toHaveCount(1, { timeout });
  });
  await card.getByRole('textbox', { name: /Reason/ }).fill('Not useful here');
  await card.getByRole('button', { name: 'Reject' }).click();
  await expect(reviewer.getByRole('article').filter({ hasText: `summarize ${count}` })).toHaveCount(0);
  await reviewer.close();

  const declined = asked.locator('xpath=following-sibling::li[2]');
  await reloadUntil(page, async (timeout) => {
    await expect(declined).toContainText('A reviewer decided not to post my answer.', { timeout });
  });
});

test('the sandbox opens on a space, nests replies under their message and renders markdown', async ({ page }, testInfo) => {
  await signIn(page, DEMO.admin.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandbox' }).click();
  // A person and one of their spaces are chosen already, and every space is offered.
  await expect(page.getByRole('region', { name: 'Messages' })).toBeVisible();
  await expect(page.getByLabel('Space').locator('option[selected]')).not.toHaveAttribute('value', '');

  await openSpace(page, 'Sam Okafor', 'Project Falcon', true);
  const count = javaScriptOn(testInfo) ? 61 : 71;
  // A question put to the bot: the summary quotes the question, not the mention it came with.
  await send(page, `@Steward is there a standard laptop for interns (${count})?`);
  await send(page, `@Steward summarize ${count}`);
  const asked = page.getByRole('listitem').filter({ hasText: `Steward summarize ${count}` }).last();
  // The reply comes right under the message it answers, whatever was posted in between.
  const summary = asked.locator('xpath=following-sibling::li[1]');
  await reloadUntil(page, async (timeout) => {
    await expect(summary).toContainText('Summary of the last', { timeout });
  });
  await expect(summary).toHaveClass(/reply/);
  // Markdown, as Webex shows it: bold headings and bullet lists, no asterisks.
  await expect(summary.locator('strong').first()).toBeVisible();
  await expect(summary.locator('ul li').first()).toBeVisible();
  await expect(summary).not.toContainText('**');
  // The bot's own mention is not part of what it quotes.
  await expect(summary).toContainText(new RegExp(`is there a standard laptop for interns \\(${count}\\)\\?`, 'i'));
  await expect(summary).not.toContainText(/Steward is there/i);
});

test('an approved action reports its outcome without a reload, and its links open', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  const check = `outcome-${testInfo.project.name}-${Date.now().toString(36)}`;
  await openSpace(page, 'Sam Okafor', 'IT Alerts');
  await send(page, `@Steward [Triggered] Disk full on db-09: no space left on device, check ${check}`);
  const card = page
    .getByRole('listitem')
    .filter({ hasText: `check ${check}` })
    .filter({ has: page.getByRole('button', { name: 'Escalate' }) });
  await expectInSpace(page, testInfo, `Critical alert: [Triggered] Disk full on db-09: no space left on device, check ${check}`);
  await card.getByRole('button', { name: 'Escalate' }).click();

  await page.goto('/actions');
  const proposal = page.getByRole('article').filter({ hasText: check });
  await reloadUntil(page, async (timeout) => {
    await expect(proposal).toBeVisible({ timeout });
  });
  // Who asked, by the name Webex gives, though they never signed in to the console.
  await expect(proposal).toContainText('Sam Okafor');
  await proposal.getByRole('button', { name: 'Approve: create a ServiceNow incident' }).click();

  // No reload: the page follows the sending until it is done.
  const row = page.getByRole('row').filter({ hasText: check });
  const incident = row.getByRole('link', { name: /^INC\d{7}$/ });
  await expect(incident).toBeVisible({ timeout: 30_000 });
  const number = await incident.textContent();
  const opened = await page.request.get((await incident.getAttribute('href')) ?? '');
  expect(opened.status()).toBe(200);
  expect(await opened.text()).toContain(number ?? 'INC');

  await openSpace(page, 'Sam Okafor', 'IT Alerts', true);
  await expectInSpace(page, testInfo, `Created ServiceNow incident ${number}`);
  const said = page.getByRole('listitem').filter({ hasText: `Created ServiceNow incident ${number}` });
  await expect(said.getByRole('link', { name: 'Open it' })).toHaveAttribute('href', /INC\d{7}|sys_id/);
});

test('a role that does not allow a page says so and who can grant it', async ({ page, pageErrors }) => {
  await signIn(page, DEMO.manager.name);
  expect((await page.goto('/settings'))?.status()).toBe(403);
  const alert = page.getByRole('alert');
  await expect(alert.getByRole('heading')).toHaveText('Your role does not allow this page');
  await expect(alert).toContainText('Ask a Steward admin');
  await expect(page.getByRole('heading', { name: 'Something went wrong' })).toHaveCount(0);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.url.endsWith('/settings')));
});

test('the demo reviewer and manager hold their roles before they ever sign in', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.goto('/people');
  const people = page.getByRole('table').first();
  await expect(people.getByRole('row').filter({ hasText: 'riley.chen@acme.example' })).toContainText('reviewer');
  await expect(people.getByRole('row').filter({ hasText: 'morgan.patel@acme.example' })).toContainText('manager');
});

test('the prompt form follows the chosen function and says what the local engine reads', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.goto('/prompts?function=alert_triage');
  await page.getByRole('navigation', { name: 'Agent functions' }).getByRole('link', { name: 'Thread summaries' }).click();
  await expect(page).toHaveURL(/function=summarize/);
  const template = page.getByRole('textbox', { name: /Template/ });
  await expect(template).toHaveValue(/\{\{messages\}\}/);
  await expect(template).not.toHaveValue(/\{\{alert\}\}/);
  await expect(page.getByRole('region', { name: /New version/ })).toContainText('The local engine');
});
