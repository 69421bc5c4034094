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
