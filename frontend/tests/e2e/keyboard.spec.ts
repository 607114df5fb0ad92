import { expect, test, type Page } from "@playwright/test";

import { signUp, usd } from "./helpers";

/** Press Tab until the focused element's accessible name matches, as a keyboard user would. */
async function tabTo(page: Page, name: RegExp, maxPresses = 80): Promise<void> {
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element) return "";
      const labelled = element.getAttribute("aria-label");
      return labelled ?? (element as HTMLElement).innerText ?? "";
    });
    if (name.test(focused.replace(/\s+/g, " ").trim())) return;
  }
  throw new Error(`Tab never reached an element named ${name}`);
}

test("the budget can be edited with the keyboard alone: Enter edits, Escape cancels, Enter saves", async ({
  page,
}) => {
  const { householdId } = await signUp(page, { name: "Kim Keys" });
  await page.goto(`/h/${householdId}/budget`);
  await expect(page.getByRole("heading", { level: 1, name: /^Budget/ })).toBeVisible();
  const groceries = page.getByRole("button", { name: /^Assigned to Groceries:/ });
  await expect(groceries).toBeVisible();

  await page.locator("body").focus();
  await tabTo(page, /^Assigned to Groceries:/);
  await expect(groceries).toBeFocused();

  // Enter opens the editor; Escape throws the typing away and gives focus back.
  await page.keyboard.press("Enter");
  const input = page.getByLabel("Assigned to Groceries", { exact: true });
  await expect(input).toBeFocused();
  await page.keyboard.type("80");
  await page.keyboard.press("Escape");
  await expect(input).toHaveCount(0);
  await expect(groceries).toBeFocused();
  await expect(groceries).toHaveAccessibleName(`Assigned to Groceries: ${usd(0)}`);

  // Enter again, type, Enter saves; focus returns to the amount.
  await page.keyboard.press("Enter");
  await expect(input).toBeFocused();
  await page.keyboard.type("80");
  await page.keyboard.press("Enter");
  await expect(
    page.getByRole("button", { name: `Assigned to Groceries: ${usd(8_000)}` }),
  ).toBeFocused();

  // The amount is stored, not just shown.
  await page.reload();
  await expect(
    page.getByRole("button", { name: `Assigned to Groceries: ${usd(8_000)}` }),
  ).toBeVisible();
});
