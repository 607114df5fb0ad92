import { expect, test } from "@playwright/test";

import { apiLogin, horizontalOverflow, openSection, seedHousehold, signUp, usd } from "./helpers";

/*
 * The app on a phone (390×844): the header stays one short line, the bottom tabs and their "More"
 * sheet reach every section, no page scrolls sideways, and the floating "+" records a purchase.
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

const SECTIONS = [
  ["Dashboard", "Dashboard"],
  ["Transactions", "Transactions"],
  ["Budget", /^Budget/],
  ["Accounts", "Accounts"],
  ["Import", "Import"],
  ["Bills", /Bills/],
  ["Receipts", "Receipts"],
  ["Banks", /Bank/],
  ["Categories", "Categories"],
  ["Rules", "Rules"],
  ["Exports", "Exports"],
  ["Household", "Household"],
  ["Profile", "Profile"],
] as const;

test("the bottom tabs reach every section and no page is wider than the phone", async ({
  page,
  request,
}) => {
  const { email, householdId } = await signUp(page, { name: "Sam Phone" });
  if (!householdId) throw new Error("no household after sign up");
  await seedHousehold(request, await apiLogin(request, email), householdId);
  await page.reload();

  const header = page.locator("header").first();
  await expect(header).toBeVisible();
  expect((await header.boundingBox())?.height).toBeLessThanOrEqual(56);

  const overflowing: string[] = [];
  for (const [label, heading] of SECTIONS) {
    await openSection(page, label as Parameters<typeof openSection>[1]);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    const { scrollWidth, innerWidth, culprits } = await horizontalOverflow(page);
    if (scrollWidth > innerWidth)
      overflowing.push(`${label}: ${scrollWidth}px in ${innerWidth}px; ${culprits.join("; ")}`);
  }
  expect(overflowing, "pages wider than the phone").toEqual([]);
});

test("quick add records a purchase amount first, and remembers the account", async ({
  page,
  request,
}) => {
  const { email, householdId } = await signUp(page, { name: "Kim Quick" });
  if (!householdId) throw new Error("no household after sign up");
  await seedHousehold(request, await apiLogin(request, email), householdId);
  await page.reload();

  await page.getByRole("button", { name: "Quick add a transaction" }).click();
  const sheet = page.getByRole("dialog", { name: "Quick add" });
  const amount = sheet.getByLabel("Amount", { exact: true });
  // The amount has the focus and asks for the numeric keyboard.
  await expect(amount).toBeFocused();
  await expect(amount).toHaveAttribute("inputmode", "decimal");
  await amount.fill("12.50");
  // A payee the household has used before brings its usual category.
  await sheet.getByLabel("Payee").fill("FreshMart");
  await expect(sheet.getByLabel("Category").locator("option:checked")).toHaveText("Groceries");
  await sheet.getByLabel("Account").selectOption({ label: "Family Visa" });
  await sheet.getByRole("button", { name: "Save" }).click();
  await expect(sheet).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "Added" })).toContainText(
    `Added ${usd(-1_250)} · FreshMart`,
  );

  await openSection(page, "Transactions");
  const row = page
    .getByRole("row")
    .filter({ hasText: "FreshMart" })
    .filter({ hasText: usd(-1_250) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Family Visa");

  await page.getByRole("button", { name: "Quick add a transaction" }).click();
  await expect(sheet.getByLabel("Account").locator("option:checked")).toHaveText("Family Visa");
});
