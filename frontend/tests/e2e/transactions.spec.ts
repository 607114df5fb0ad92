import { expect, test, type Locator, type Page } from "@playwright/test";

import { exactUsd, openSection, signUp, typed } from "./helpers";

/*
 * Issue 12 in a browser: a transfer to an account made in place shows as one row, the form
 * remembers its account, search finds an amount typed with a decimal comma, and a delete can be
 * undone until its toast ends (the clock is moved on, not waited for) or the page is left.
 */

const CHECKING = "Daily checking";
const HOLIDAY = "Holiday fund";

function row(page: Page, text: string): Locator {
  return page.getByRole("row").filter({ hasText: text });
}

async function addExpense(page: Page, payee: string, amountMinor: number) {
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add transaction" });
  await dialog.getByLabel("Account").selectOption({ label: CHECKING });
  await dialog.getByLabel("Payee").fill(payee);
  await dialog.getByLabel("Amount", { exact: true }).fill(typed(amountMinor));
  await dialog.getByRole("button", { name: "Add transaction" }).click();
  await expect(dialog).toBeHidden();
}

async function deleteFromList(page: Page, payee: string) {
  await row(page, payee)
    .getByRole("button", { name: new RegExp(`^Edit ${payee}`) })
    .first()
    .click();
  const dialog = page.getByRole("dialog", { name: "Edit transaction" });
  await dialog.getByRole("button", { name: "Delete" }).click();
  await dialog.getByRole("button", { name: "Yes, delete" }).click();
  await expect(dialog).toBeHidden();
}

test("transfers as one row, the last account, search by amount and undo of a delete", async ({
  page,
}) => {
  await page.clock.install();
  await signUp(page, { name: "Robin Parent", householdName: "Robin's" });
  await openSection(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const newAccount = page.getByRole("dialog", { name: "New account" });
  await newAccount.getByLabel("Name").fill(CHECKING);
  await newAccount.getByLabel("Kind").selectOption({ label: "Checking" });
  await newAccount.getByLabel("Opening balance").fill(typed(100_000));
  await newAccount.getByRole("button", { name: "Create account" }).click();
  await expect(newAccount).toBeHidden();

  await openSection(page, "Transactions");
  await page.getByRole("button", { name: "Record transfer" }).click();
  const transfer = page.getByRole("dialog", { name: "Record a transfer" });
  await transfer.getByLabel("From account").selectOption({ label: CHECKING });
  await transfer.getByRole("button", { name: "+ New account to move the money to" }).click();
  await transfer.getByLabel("New account name").fill(HOLIDAY);
  await transfer.getByLabel("Kind").selectOption({ label: "Savings" });
  await transfer.getByRole("button", { name: "Create account" }).click();
  await expect(transfer.getByLabel("To account")).toHaveValue(/.+/);
  await expect(transfer.getByLabel("To account").locator("option:checked")).toHaveText(HOLIDAY);
  await transfer.getByLabel("Amount").fill(typed(5_000));
  await transfer.getByRole("button", { name: "Record transfer" }).click();
  await expect(transfer).toBeHidden();

  const route = `${CHECKING} → ${HOLIDAY}`;
  await expect(row(page, route)).toHaveCount(1);
  await expect(row(page, route)).toContainText(exactUsd(5_000));
  await page.getByLabel("Account", { exact: true }).selectOption({ label: HOLIDAY });
  await expect(row(page, `Transfer from ${CHECKING}`)).toHaveCount(1);
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "All accounts" });

  await addExpense(page, "Corner cafe", 1_250);
  await addExpense(page, "Book shop", 3_000);
  // A new transaction starts on the account used last.
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add transaction" });
  await expect(dialog.getByLabel("Account").locator("option:checked")).toHaveText(CHECKING);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  await page.getByLabel("Search").fill("12,50");
  await expect(page).toHaveURL(/q=12%2C50/);
  await expect(row(page, "Corner cafe")).toHaveCount(1);
  await expect(row(page, "Book shop")).toHaveCount(0);
  await page.getByLabel("Search").fill("");
  await expect(row(page, "Book shop")).toHaveCount(1);

  // Undo brings the row back; nothing was sent.
  await deleteFromList(page, "Corner cafe");
  const toast = page.getByRole("status").filter({ hasText: "Deleted" });
  await expect(toast).toContainText("Corner cafe");
  await expect(row(page, "Corner cafe")).toHaveCount(0);
  await toast.getByRole("button", { name: "Undo" }).click();
  await expect(row(page, "Corner cafe")).toHaveCount(1);

  // Left alone, the delete is sent when the toast ends.
  await deleteFromList(page, "Corner cafe");
  await expect(toast).toBeVisible();
  await page.clock.fastForward(7_000);
  await expect(toast).toBeHidden();
  await page.reload();
  await expect(row(page, "Book shop")).toHaveCount(1);
  await expect(row(page, "Corner cafe")).toHaveCount(0);

  // Leaving the page sends a held delete at once.
  await deleteFromList(page, "Book shop");
  await expect(toast).toBeVisible();
  await openSection(page, "Dashboard");
  await openSection(page, "Transactions");
  await expect(row(page, route)).toHaveCount(1);
  await expect(row(page, "Book shop")).toHaveCount(0);
});
