import type { Page } from 'playwright-core';

/** Keyboard only: Tab until the focused element matches `selector` (and contains `text`, if given). */
export async function tabTo(page: Page, selector: string, text = '', max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    const hit = await page.evaluate(([s, t]) => {
      const el = document.activeElement;
      return !!el && el.matches(s) && (el.textContent ?? '').includes(t);
    }, [selector, text] as const);
    if (hit) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Foco não chegou a ${selector} ${text}`);
}

/** Presses `key` on the focused control and waits for the page it leads to (even at the same URL). */
export async function pressAndWait(page: Page, key: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated'), page.keyboard.press(key)]);
  await page.waitForLoadState('load');
}

/**
 * Keyboard only: Tab to the file field `selector`, press Space to open the system's file picker,
 * and answer it with `files` (Playwright stands in for the picker).
 *
 * The picker is listened for before Tab moves: Playwright turns Chromium's file-chooser
 * interception on with a message of its own, and a Space sent right behind that message can reach
 * the page first — the picker then opens unseen and the wait times out (one CI run in about
 * twenty did). The Tab round trips in between let the interception land first.
 */
export async function chooseFilesByKeyboard(page: Page, selector: string, files: string | string[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.evaluate(() => document.readyState);
  await tabTo(page, selector);
  await page.keyboard.press('Space');
  await (await chooser).setFiles(files);
}
