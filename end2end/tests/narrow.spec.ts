import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO, signIn } from './signin';
import { expectInSpace, openSpace, send } from './space';

// The console on a 390 px wide phone (the `narrow` project): nothing is cut off or out of reach.

/** Whether the page scrolls sideways. */
async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

test('the navigation wraps and Sign out stays in reach', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await expect(signOut).toBeInViewport({ ratio: 1 });
  const settings = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' });
  await expect(settings).toBeInViewport({ ratio: 1 });
  expect(await scrollsSideways(page)).toBe(false);
});

test('the Overview cards show their text whole', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  const runtime = page.getByRole('region', { name: 'Bot runtime' });
  await expect(runtime).toBeVisible();
  const clipped = await runtime.evaluate((card) =>
    [card, ...card.querySelectorAll('*')].some((el) => el.scrollWidth > el.clientWidth + 1),
  );
  expect(clipped).toBe(false);
  expect(await scrollsSideways(page)).toBe(false);
});

test('radio buttons and checkboxes sit beside their labels on Settings', async ({ page }) => {
  await signIn(page, DEMO.admin.name);
  await page.goto('/settings');
  for (const label of ['Local (offline, deterministic)', 'OpenAI-compatible API']) {
    const input = page.getByRole('radio', { name: label });
    const inputBox = await input.boundingBox();
    const textBox = await page.locator('label.choice', { hasText: label }).boundingBox();
    expect(inputBox && textBox).toBeTruthy();
    // Beside: the input's middle is within the label's first line, not above it.
    expect(inputBox!.y + inputBox!.height / 2).toBeGreaterThan(textBox!.y);
    expect(textBox!.height).toBeLessThan(inputBox!.height * 2.6);
  }
  const choice = page.locator('label.choice').filter({ has: page.getByRole('checkbox') }).first();
  const boxBounds = await choice.getByRole('checkbox').boundingBox();
  const label = await choice.boundingBox();
  expect(boxBounds!.y + boxBounds!.height / 2).toBeGreaterThan(label!.y);
  expect(await scrollsSideways(page)).toBe(false);
});

test('a review card keeps the lines of its draft', async ({ page }, testInfo) => {
  await openSpace(page, 'Jordan Lee', 'IT Help');
  await send(page, '@Steward summarize 80');
  await openSpace(page, DEMO.reviewer.name, 'Steward Reviews', true);
  const card = page.locator('.adaptive-card').filter({ hasText: 'asked: summarize 80' }).last();
  await expectInSpace(page, testInfo, 'asked: summarize 80');
  // The draft is several lines of markdown; the card shows them as lines, not run together.
  const draft = card.locator('p').filter({ hasText: 'Summary of the last' });
  const box = await draft.boundingBox();
  const lineHeight = await draft.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
  expect(box!.height).toBeGreaterThan(lineHeight * 3);
  expect(await scrollsSideways(page)).toBe(false);
});
