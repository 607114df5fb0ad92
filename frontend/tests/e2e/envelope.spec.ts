import { expect, test, type Page } from "@playwright/test";

import { openSection, signUp, typed, usd } from "./helpers";

/*
 * Envelope budgeting through the UI, in integer cents:
 *   checking opens with 1,000.00: 1,000.00 to assign
 *   Groceries: 100.00 assigned, 130.00 spent: overspent by 30.00
 *   "Cover overspending" moves 30.00 from the money to assign: Groceries at 0.00, 870.00 left
 *   Household supplies: a 50.00 monthly target, funded by quick assign: 820.00 left
 */
const OPENING = 100_000;
const ASSIGNED = 10_000;
const SPENT = 13_000;
const TARGET = 5_000;

async function assign(page: Page, category: string, amountMinor: number) {
  await page.getByRole("button", { name: new RegExp(`^Assigned to ${category}:`) }).click();
  const input = page.getByLabel(`Assigned to ${category}`, { exact: true });
  await input.fill(typed(amountMinor));
  await input.press("Enter");
  await expect(
    page.getByRole("button", { name: `Assigned to ${category}: ${usd(amountMinor)}` }),
  ).toBeVisible();
}

function row(page: Page, category: string) {
  return page
    .getByRole("row")
    .filter({ has: page.getByRole("button", { name: new RegExp(`^Assigned to ${category}:`) }) });
}

test("overspending is covered by moving money, and quick assign funds a target", async ({
  page,
}) => {
  test.skip(test.info().project.name !== "desktop", "the budget table is the desktop layout");
  await signUp(page, { name: "Casey Envelope", householdName: "Envelopes" });

  await openSection(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const account = page.getByRole("dialog", { name: "New account" });
  await account.getByLabel("Name").fill("Checking");
  await account.getByLabel("Opening balance").fill(typed(OPENING));
  await expect(account.getByRole("checkbox", { name: /On budget/ })).toBeChecked();
  await account.getByRole("button", { name: "Create account" }).click();
  await expect(account).toBeHidden();

  await openSection(page, "Transactions");
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const spend = page.getByRole("dialog", { name: "Add transaction" });
  await spend.getByLabel("Account").selectOption({ label: "Checking" });
  await spend.getByLabel("Payee").fill("Corner grocer");
  await spend
    .locator("label")
    .filter({ hasText: /^Expense$/ })
    .click();
  await spend.getByLabel("Amount", { exact: true }).fill(typed(SPENT));
  await spend.getByLabel("Category").selectOption({ label: "Groceries" });
  await spend.getByRole("button", { name: "Add transaction" }).click();
  await expect(spend).toBeHidden();

  await openSection(page, "Budget");
  const totals = page.getByRole("region", { name: "Month totals" });
  await expect(totals).toContainText(`Left to assign${usd(OPENING)}`);
  await assign(page, "Groceries", ASSIGNED);
  await expect(row(page, "Groceries").getByRole("cell").nth(3)).toHaveText(usd(ASSIGNED - SPENT));

  await page.getByRole("button", { name: "Cover overspending of Groceries" }).click();
  const move = page.getByRole("dialog", { name: "Move money" });
  await expect(move.getByLabel("Amount")).toHaveValue(typed(SPENT - ASSIGNED));
  await expect(move.getByLabel("From")).toHaveValue("");
  await move.getByRole("button", { name: "Move", exact: true }).click();
  await expect(move).toBeHidden();
  await expect(row(page, "Groceries").getByRole("cell").nth(3)).toHaveText(usd(0));
  await expect(totals).toContainText(`Left to assign${usd(OPENING - SPENT)}`);

  await page.getByRole("button", { name: "Target for Household supplies" }).click();
  const target = page.getByRole("dialog", { name: "Target for Household supplies" });
  await target.getByLabel("Amount").fill(typed(TARGET));
  await target.getByRole("button", { name: "Save target" }).click();
  await expect(target).toBeHidden();
  const supplies = row(page, "Household supplies");
  await expect(supplies).toContainText(`${usd(TARGET)} every month: ${usd(TARGET)} more needed`);

  await page.getByRole("button", { name: "Quick assign" }).click();
  await page.getByRole("button", { name: "Fund underfunded targets" }).click();
  await expect(page.getByText("1 category's amount changed.")).toBeVisible();
  await expect(supplies).toContainText("funded this month");
  await expect(totals).toContainText(`Left to assign${usd(OPENING - SPENT - TARGET)}`);
});

test("a payment into a tracking loan account is spending in its category", async ({ page }) => {
  test.skip(test.info().project.name !== "desktop", "the budget table is the desktop layout");
  const PAYMENT = 25_000;
  await signUp(page, { name: "Morgan Loan", householdName: "Borrowers" });

  await openSection(page, "Accounts");
  for (const [name, kind, opening] of [
    ["Checking", "Checking", OPENING],
    ["Car loan", "Loan", -900_000],
  ] as const) {
    await page.getByRole("button", { name: "New account" }).click();
    const dialog = page.getByRole("dialog", { name: "New account" });
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("Kind").selectOption({ label: kind });
    await dialog.getByLabel("Opening balance").fill(typed(opening));
    const onBudget = dialog.getByRole("checkbox", { name: /On budget/ });
    await expect(onBudget).toBeChecked({ checked: kind !== "Loan" });
    await dialog.getByRole("button", { name: "Create account" }).click();
    await expect(dialog).toBeHidden();
  }

  await openSection(page, "Transactions");
  await page.getByRole("button", { name: "Record transfer" }).click();
  const transfer = page.getByRole("dialog", { name: "Record a transfer" });
  await transfer.getByLabel("From account").selectOption({ label: "Checking" });
  await transfer.getByLabel("To account").selectOption({ label: "Car loan" });
  await transfer.getByLabel("Amount").fill(typed(PAYMENT));
  await transfer.getByLabel("Category").selectOption({ label: "Groceries" });
  await transfer.getByRole("button", { name: "Record transfer" }).click();
  await expect(transfer).toBeHidden();

  await openSection(page, "Budget");
  // The loan's opening balance is not money to assign; the payment is Groceries spending.
  const totals = page.getByRole("region", { name: "Month totals" });
  await expect(totals).toContainText(`Left to assign${usd(OPENING)}`);
  await expect(totals).toContainText(`Spent${usd(PAYMENT)}`);
  await expect(row(page, "Groceries").getByRole("cell").nth(3)).toHaveText(usd(-PAYMENT));
});
