// What every new page must pass, as a person using it would find it: no sideways scrolling at the widths people
// use, every control reachable with the keyboard, every control with a name.
import { expect, type Locator, type Page } from "@playwright/test";

export const WIDTHS = [1440, 390] as const;

export async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const root = document.documentElement;
    const wide = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && getComputedStyle(el).position !== "fixed")
      .filter((el) => !el.closest("[class*='overflow-x-auto'], [class*='overflow-auto'], .sr-only"))
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { by: root.scrollWidth - root.clientWidth, wide };
  });
  expect(overflow, `page ${page.url()} scrolls sideways`).toEqual({ by: 0, wide: [] });
}

/** Controls (inputs, selects, text areas, buttons, links) without an accessible name. */
export async function expectLabelledControls(page: Page) {
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("input:not([type=hidden]), select, textarea, button, a[href]")]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => {
        const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
        return !labelled && !(el.textContent ?? "").trim() && !el.getAttribute("title");
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  expect(unnamed, `unnamed controls on ${page.url()}`).toEqual([]);
}

/** Presses Tab until `target` has focus (fails after `max` presses). */
export async function tabTo(page: Page, target: Locator, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`could not reach ${target} with the keyboard`);
}

/** Each width: no sideways scroll, every control named, and each of `reach` reachable with Tab. */
export async function walkPage(page: Page, url: string, reach: (page: Page) => Locator[]) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    await expectNoSidewaysScroll(page);
    await expectLabelledControls(page);
    for (const target of reach(page)) await tabTo(page, target);
  }
}
