import { type Browser, type Page, type TestInfo } from '@playwright/test';
import { type BrowserError, collectErrors, expect, javaScriptOn, test } from './fixtures';
import { DEMO, signIn } from './signin';
import { expectInSpace, openSpace, reloadUntil, send } from './space';

// The whole governance story on the shared sandbox: these tests change the policy the other
// specs rely on, so they run alone, after them (see playwright.config.ts), and put it back.
test.describe.configure({ mode: 'serial' });

const FUNCTION = 'Thread summaries';
const SPACE = 'Project Falcon';

/** A second person in their own browser, with the project's JavaScript setting. */
async function personPage(browser: Browser, testInfo: TestInfo, errors: BrowserError[]): Promise<Page> {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: javaScriptOn(testInfo),
  });
  const page = await context.newPage();
  collectErrors(page, errors);
  return page;
}

async function setMode(page: Page, testInfo: TestInfo, mode: 'live' | 'review'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  await page.getByRole('combobox', { name: `${FUNCTION} in ${SPACE}` }).selectOption(mode);
  const saved = page.waitForResponse((response) => response.url().includes('/api/save_modes'));
  await page.getByRole('button', { name: 'Save modes' }).click();
  await saved;
  // Without JavaScript the form posts and the page comes back; with it, the page says so.
  if (javaScriptOn(testInfo)) await expect(page.getByRole('status')).toHaveText(/Saved 1 change|Nothing changed/);
  // Load the page afresh rather than reload: without JavaScript the redirect after the post may
  // still be loading, and a reload cannot interrupt it.
  await page.goto('/agents');
  await expect(page.getByRole('combobox', { name: `${FUNCTION} in ${SPACE}` })).toHaveValue(mode);
}

async function openPrompts(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prompts' }).click();
  await page.getByRole('navigation', { name: 'Agent functions' }).getByRole('link', { name: FUNCTION }).click();
}

/** The version the function's release runs everywhere. */
async function releasedVersion(page: Page): Promise<number> {
  const released = page.getByTestId('released-version');
  await expect(released).toContainText(/Runs v\d+ everywhere/);
  return Number((await released.textContent())?.match(/Runs v(\d+)/)?.[1]);
}

/** The draft card on the Review page whose triggering message says `trigger`. */
async function draftFor(reviewer: Page, trigger: string) {
  const card = reviewer.getByRole('article').filter({ hasText: trigger });
  await reloadUntil(reviewer, async (timeout) => {
    await expect(card).toHaveCount(1, { timeout });
  });
  return card;
}

test('an admin sends summaries to review, a reviewer edits one, it is posted and audited, and a rollback takes effect', async ({ page, browser, pageErrors }, testInfo) => {
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  // Counts differ per project so each run finds its own drafts.
  const [first, second] = javaScriptOn(testInfo) ? [40, 41] : [50, 51];

  // An admin puts thread summaries under review in the project space.
  await signIn(page, DEMO.admin.name);
  await setMode(page, testInfo, 'review');
  await openPrompts(page);
  const earlier = await releasedVersion(page);

  // A message in the space produces a draft, not a reply.
  await openSpace(page, 'Sam Okafor', SPACE, true);
  await send(page, `@Steward summarize ${first}`);
  await expectInSpace(page, testInfo, `summarize ${first}`);

  // A reviewer edits the draft and approves it.
  const reviewer = await personPage(browser, testInfo, pageErrors);
  await signIn(reviewer, DEMO.reviewer.name);
  await reviewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review' }).click();
  await expect(reviewer.getByRole('heading', { level: 1, name: 'Review queue' })).toBeVisible();
  const card = await draftFor(reviewer, `summarize ${first}`);
  await expect(card.getByRole('heading')).toHaveText(`${FUNCTION} in ${SPACE}`);
  await expect(card).toContainText(`summarize@v${earlier}`);
  const reply = card.getByRole('textbox', { name: /Reply for draft/ });
  const draftId = Number((await reply.getAttribute('aria-label'))?.match(/\d+/)?.[0]);
  const drafted = await reply.inputValue();
  expect(drafted).toContain("Summary of the last");
  const edited = `${drafted}\n\nChecked by Riley (${run}).`;
  await reply.fill(edited);
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(reviewer.getByRole('article').filter({ hasText: `summarize ${first}` })).toHaveCount(0);

  // The edited reply appears in the space, as the bot's reply in the thread.
  await expectInSpace(page, testInfo, `Checked by Riley (${run}).`);
  const posted = page.getByRole('listitem').filter({ hasText: `Checked by Riley (${run}).` });
  await expect(posted).toHaveClass(/reply/);
  await expect(posted).toContainText("Summary of the last");

  // The audit log tells the story: the draft, the reviewer's edit, the reply.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await page.getByLabel('Space').selectOption({ label: SPACE });
  await page.getByRole('button', { name: 'Show' }).click();
  const entries = page.getByRole('table', { name: 'Entries, newest first' }).getByRole('row');
  const draftLine = new RegExp(`"draft_id":\\s*${draftId}\\b`);
  const drafted_ = entries.filter({ hasText: 'agent.draft' }).filter({ hasText: draftLine });
  await expect(drafted_).toHaveCount(1);
  await expect(drafted_).toContainText(`summarize@v${earlier}`);
  const approved = entries.filter({ hasText: 'draft.approve' }).filter({ hasText: `draft:${draftId}` });
  await expect(approved).toHaveCount(1);
  await expect(approved).toContainText(DEMO.reviewer.name);
  await expect(approved).toContainText(`Checked by Riley (${run}).`);
  await expect(approved).toContainText(/"edit_distance":\s*[1-9]/);
  await expect(entries.filter({ hasText: 'reply.sent' }).filter({ hasText: draftLine })).toHaveCount(1);

  // The admin releases a new version, then rolls the release back.
  await openPrompts(page);
  await page.getByLabel('Note').fill(`Tighter wording (${run})`);
  await page.getByRole('button', { name: 'Save version' }).click();
  const versions = page.getByRole('table', { name: `Versions of ${FUNCTION}` });
  const row = versions.getByRole('row').filter({ hasText: `Tighter wording (${run})` });
  await expect(row).toHaveCount(1);
  const newer = Number((await row.getByRole('rowheader').textContent())?.replace('v', ''));
  expect(newer).toBeGreaterThan(earlier);
  await row.getByRole('button', { name: `Release v${newer}` }).click();
  await expect(page.getByTestId('released-version')).toContainText(`Runs v${newer} everywhere`);
  await page.getByRole('button', { name: `Roll back to v${earlier}` }).click();
  await expect(page.getByTestId('released-version')).toContainText(`Runs v${earlier} everywhere`);

  // The next draft comes from the earlier version; the reviewer rejects it.
  await openSpace(page, 'Sam Okafor', SPACE, true);
  await send(page, `@Steward summarize ${second}`);
  await expectInSpace(page, testInfo, `summarize ${second}`);
  const next = await draftFor(reviewer, `summarize ${second}`);
  await expect(next).toContainText(`summarize@v${earlier}`);
  await expect(next).not.toContainText(`summarize@v${newer}`);
  await next.getByRole('textbox', { name: /Reason to reject/ }).fill(`Checked the rollback (${run})`);
  await next.getByRole('button', { name: 'Reject' }).click();
  await expect(reviewer.getByRole('article').filter({ hasText: `summarize ${second}` })).toHaveCount(0);

  // The space gets its live summaries back for whatever runs next.
  await setMode(page, testInfo, 'live');
  await reviewer.context().close();
});

/** Every change a console form can make, with a body an admin could send. */
const MUTATIONS: [string, Record<string, string>][] = [
  ['post_sandbox_message', { person: 'p', space: 's', text: 'hello' }],
  ['click_sandbox_card', { person: 'p', message: 'm', button: '0' }],
  ['grant_role', { email: 'morgan.patel@acme.example', role: 'admin' }],
  ['revoke_role', { email: 'alex.rivera@acme.example', role: 'admin' }],
  ['save_modes', { 'modes[summarize|x]': 'live' }],
  ['switch_function', { function: 'summarize', enabled: 'false' }],
  ['set_rollout', { function: 'summarize', percent: '1' }],
  ['set_graduation_thresholds', { min_approvals: '1', min_rate_percent: '1', demote_after: '9' }],
  ['graduate_version', { function: 'summarize', version: '1' }],
  ['create_prompt_version', { function: 'summarize', template: '{{messages}}', settings: '{}', note: 'x' }],
  ['promote_version', { function: 'summarize', version: '1' }],
  ['split_version', { function: 'summarize', version: '1', percent: '50' }],
  ['end_split', { function: 'summarize' }],
  ['rollback_release', { function: 'summarize' }],
  ['approve_draft', { id: '1', markdown: 'ok' }],
  ['reject_draft', { id: '1', reason: 'no' }],
  ['approve_selected', { 'selected[1]': 'on' }],
  ['approve_action', { id: '1' }],
  ['reject_action', { id: '1', reason: 'no' }],
  ['save_ai_provider', { provider: 'local' }],
  ['save_integration', { kind: 'webhook', base_url: 'https://hooks.example.com/x', secret: 's' }],
  ['save_escalation_target', { target: '' }],
  ['save_redaction', { custom: '' }],
  ['preview_redaction', { sample: 'a@b.example' }],
  ['save_retention', { days: '1' }],
  ['save_review_space', { room_id: '' }],
];

test('a manager is refused every change and leaves no trace in the audit log', async ({ page, pageErrors }, testInfo) => {
  await signIn(page, DEMO.manager.name);
  const origin = new URL(testInfo.project.use.baseURL ?? '').origin;
  for (const [name, form] of MUTATIONS) {
    const response = await page.request.post(`/api/${name}`, { form, headers: { Origin: origin } });
    expect(response.status(), name).toBe(403);
  }
  for (const path of ['/people', '/prompts', '/review', '/actions', '/settings', '/sandbox']) {
    expect((await page.goto(path))?.status(), path).toBe(403);
  }
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !/\/(people|prompts|review|actions|settings|sandbox)$/.test(e.url)));

  // Everything the manager ever did is signing in.
  await page.goto('/audit?q=sign_in+morgan');
  await page.getByRole('table', { name: 'Entries, newest first' }).getByRole('link', { name: DEMO.manager.name }).first().click();
  await expect(page).toHaveURL(/actor=user/);
  const rows = page.getByRole('table', { name: 'Entries, newest first' }).getByRole('row');
  await expect(rows.nth(1)).toBeVisible();
  for (const text of await rows.allTextContents()) {
    if (text.includes('When (UTC)')) continue;
    expect(text).toContain('session.sign_in');
  }
});
