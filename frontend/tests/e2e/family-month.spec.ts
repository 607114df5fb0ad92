import { expect, test, type Locator, type Page } from "@playwright/test";

import { exactUsd, openSection, signUp, typed, usd } from "./helpers";

/*
 * One month of a family's money, entered through the UI, and every number the app shows for it
 * checked against arithmetic done here in integer cents:
 *
 *   Everyday checking  opens with 1,000.00
 *   + salary           3,000.00  (Salary)
 *   - groceries          120.50  (Groceries)
 *   - warehouse store    200.00  split: Groceries 150.00 + Household supplies 50.00
 *   - transfer           500.00  to Rainy day savings (opens with 0)
 *   budget: Groceries 400.00, Household supplies 100.00
 */
const OPENING = 100_000;
const SALARY = 300_000;
const GROCERIES = 12_050;
const SPLIT_TOTAL = 20_000;
const SPLIT_GROCERIES = 15_000;
const SPLIT_SUPPLIES = SPLIT_TOTAL - SPLIT_GROCERIES;
const TRANSFER = 50_000;
const BUDGET_GROCERIES = 40_000;
const BUDGET_SUPPLIES = 10_000;

const CHECKING = "Everyday checking";
const SAVINGS = "Rainy day savings";

async function createAccount(page: Page, name: string, kind: string, openingMinor: number) {
  await page.getByRole("button", { name: "New account" }).click();
  const dialog = page.getByRole("dialog", { name: "New account" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Kind").selectOption({ label: kind });
  await dialog.getByLabel("Opening balance").fill(typed(openingMinor));
  await dialog.getByRole("button", { name: "Create account" }).click();
  await expect(dialog).toBeHidden();
  await expect(accountRow(page, name)).toBeVisible();
}

function accountRow(page: Page, name: string): Locator {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });
}

async function openAddTransaction(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add transaction" });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function chooseDirection(dialog: Locator, direction: "Expense" | "Income") {
  await dialog
    .locator("label")
    .filter({ hasText: new RegExp(`^${direction}$`) })
    .click();
  await expect(dialog.getByRole("radio", { name: direction })).toBeChecked();
}

async function addTransaction(
  page: Page,
  {
    payee,
    direction,
    amountMinor,
    category,
  }: { payee: string; direction: "Expense" | "Income"; amountMinor: number; category: string },
) {
  const dialog = await openAddTransaction(page);
  await dialog.getByLabel("Account").selectOption({ label: CHECKING });
  await dialog.getByLabel("Payee").fill(payee);
  await chooseDirection(dialog, direction);
  await dialog.getByLabel("Amount", { exact: true }).fill(typed(amountMinor));
  await dialog.getByLabel("Category").selectOption({ label: category });
  await dialog.getByRole("button", { name: "Add transaction" }).click();
  await expect(dialog).toBeHidden();
}

async function assign(page: Page, category: string, amountMinor: number) {
  await page.getByRole("button", { name: new RegExp(`^Assigned to ${category}:`) }).click();
  const input = page.getByLabel(`Assigned to ${category}`, { exact: true });
  await input.fill(typed(amountMinor));
  await input.press("Enter");
  await expect(
    page.getByRole("button", { name: `Assigned to ${category}: ${usd(amountMinor)}` }),
  ).toBeVisible();
}

function card(page: Page, heading: string | RegExp): Locator {
  return page.locator("section").filter({ has: page.getByRole("heading", { name: heading }) });
}

test("a family's month: accounts, income, spending, a split, a transfer and a budget add up everywhere", async ({
  page,
}) => {
  await signUp(page, { name: "Jordan Parent", householdName: "The Parents" });

  await openSection(page, "Accounts");
  await createAccount(page, CHECKING, "Checking", OPENING);
  await createAccount(page, SAVINGS, "Savings", 0);

  await openSection(page, "Transactions");
  await addTransaction(page, {
    payee: "Employer Inc",
    direction: "Income",
    amountMinor: SALARY,
    category: "Salary",
  });
  await addTransaction(page, {
    payee: "Corner grocer",
    direction: "Expense",
    amountMinor: GROCERIES,
    category: "Groceries",
  });

  // One purchase split across two categories: submit stays blocked until the lines add up.
  const split = await openAddTransaction(page);
  await split.getByLabel("Account").selectOption({ label: CHECKING });
  await split.getByLabel("Payee").fill("Warehouse store");
  await chooseDirection(split, "Expense");
  await split.getByLabel("Amount", { exact: true }).fill(typed(SPLIT_TOTAL));
  await split.getByRole("button", { name: "Split across categories" }).click();
  await split.getByLabel("Category, line 1").selectOption({ label: "Groceries" });
  await split.getByLabel("Amount, line 1").fill(typed(SPLIT_GROCERIES));
  await split.getByLabel("Category, line 2").selectOption({ label: "Household supplies" });
  await expect(split.getByRole("button", { name: "Add transaction" })).toBeDisabled();
  await split.getByLabel("Amount, line 2").fill(typed(SPLIT_SUPPLIES));
  await split.getByRole("button", { name: "Add transaction" }).click();
  await expect(split).toBeHidden();

  await page.getByRole("button", { name: "Record transfer" }).click();
  const transfer = page.getByRole("dialog", { name: "Record a transfer" });
  await transfer.getByLabel("From account").selectOption({ label: CHECKING });
  await transfer.getByLabel("To account").selectOption({ label: SAVINGS });
  await transfer.getByLabel("Amount").fill(typed(TRANSFER));
  await transfer.getByRole("button", { name: "Record transfer" }).click();
  await expect(transfer).toBeHidden();

  await expect(page.getByRole("row").filter({ hasText: "Warehouse store" })).toContainText(
    exactUsd(-SPLIT_TOTAL),
  );
  await expect(page.getByRole("row").filter({ hasText: "Employer Inc" })).toContainText(
    exactUsd(SALARY),
  );

  await openSection(page, "Budget");
  await assign(page, "Groceries", BUDGET_GROCERIES);
  await assign(page, "Household supplies", BUDGET_SUPPLIES);

  const groceriesSpent = GROCERIES + SPLIT_GROCERIES;
  const spent = GROCERIES + SPLIT_TOTAL;
  const assigned = BUDGET_GROCERIES + BUDGET_SUPPLIES;
  const totals = page.getByRole("region", { name: "Month totals" });
  await expect(totals).toContainText(`Left to assign${usd(OPENING + SALARY - assigned)}`);
  await expect(totals).toContainText(`Income${usd(SALARY)}`);
  await expect(totals).toContainText(`Assigned${usd(assigned)}`);
  await expect(totals).toContainText(`Spent${usd(spent)}`);
  const groceriesRow = page
    .getByRole("row")
    .filter({ has: page.getByRole("button", { name: /^Assigned to Groceries:/ }) });
  // Cell by cell, whole text: "$129.50" available must not pass for "-$129.50".
  await expect(
    groceriesRow.getByRole("link", {
      name: `Transactions in Groceries, activity ${usd(-groceriesSpent)}`,
      exact: true,
    }),
  ).toBeVisible();
  const available = groceriesRow.getByRole("cell").nth(3);
  await expect(available).toHaveText(usd(BUDGET_GROCERIES - groceriesSpent));

  await openSection(page, "Dashboard");
  await expect(card(page, "Left to assign")).toContainText(exactUsd(OPENING + SALARY - assigned));
  await expect(card(page, "Spent vs budgeted")).toContainText(`${usd(spent)} of ${usd(assigned)}`);
  const spending = card(page, /^Spending by category/);
  await spending.getByText("Show spending as a table").click();
  await expect(spending.getByRole("row", { name: /Groceries/ })).toContainText(
    exactUsd(groceriesSpent),
  );
  await expect(spending.getByRole("row", { name: /Household supplies/ })).toContainText(
    exactUsd(SPLIT_SUPPLIES),
  );
  await expect(spending.getByRole("row", { name: /Salary/ })).toHaveCount(0);

  await openSection(page, "Accounts");
  const checking = OPENING + SALARY - GROCERIES - SPLIT_TOTAL - TRANSFER;
  await expect(accountRow(page, CHECKING)).toContainText(exactUsd(checking));
  await expect(accountRow(page, SAVINGS)).toContainText(exactUsd(TRANSFER));
  await expect(page.locator("dl").filter({ hasText: "Net worth" })).toContainText(
    `Net worth${usd(checking + TRANSFER)}`,
  );
});
