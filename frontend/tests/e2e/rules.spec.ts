import { expect, test, type Page } from "@playwright/test";

import { openSection, signUp, typed } from "./helpers";

/** Day `day` of this month (UTC): the transactions page shows this month by default. */
function thisMonth(day: number): { iso: string; shown: string } {
  const now = new Date();
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), day));
  const shown = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });
  return { iso: date.toISOString().slice(0, 10), shown: shown.format(date) };
}

async function addTransaction(page: Page, payee: string, minor: number, day: string) {
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add transaction" });
  await dialog.getByLabel("Account").selectOption({ label: "Everyday checking" });
  await dialog.getByLabel("Date").fill(day);
  await dialog.getByLabel("Payee").fill(payee);
  await dialog.getByLabel("Amount", { exact: true }).fill(typed(minor));
  await dialog.getByRole("button", { name: "Add transaction" }).click();
  await expect(dialog).toHaveCount(0);
}

test("always do this makes a rule; apply to existing shows its count first; rules are edited, reordered and deleted", async ({
  page,
}) => {
  await signUp(page, { name: "Rue", householdName: "The Rules" });

  await openSection(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const accountDialog = page.getByRole("dialog", { name: "New account" });
  await accountDialog.getByLabel("Name").fill("Everyday checking");
  await accountDialog.getByLabel("Opened on").fill("2020-01-01");
  await accountDialog.getByRole("button", { name: "Create account" }).click();
  await expect(accountDialog).toHaveCount(0);

  await openSection(page, "Transactions");
  const [first, second, third] = [thisMonth(1), thisMonth(2), thisMonth(3)];
  await addTransaction(page, "Corner Grocery", 647, first.iso);
  await addTransaction(page, "Corner Grocery", 1200, second.iso);
  await addTransaction(page, "Village Bakery", 450, third.iso);

  // Re-categorize one, and ask for the same next time.
  await page
    .getByRole("button", { name: `Edit Corner Grocery, ${second.shown}` })
    .first()
    .click();
  const edit = page.getByRole("dialog", { name: "Edit transaction" });
  await edit.getByLabel("Category").selectOption({ label: "Groceries" });
  await edit.getByLabel(/Always do this/).check();
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toHaveCount(0);
  await expect(page.getByText(/New transactions from “Corner Grocery”/)).toBeVisible();

  await openSection(page, "Rules");
  const rules = page.getByRole("list", { name: "Rules" });
  await expect(rules.getByRole("listitem")).toHaveCount(1);
  const rule = rules.getByRole("listitem", { name: "Corner Grocery" });
  await expect(rule).toContainText("When: Payee is “Corner Grocery”");
  await expect(rule).toContainText("Then: Category: Groceries");

  // Apply to existing: the other Corner Grocery row is the only one to change.
  await rule
    .getByRole("button", { name: "Apply to existing transactions: Corner Grocery" })
    .click();
  const apply = page.getByRole("dialog", { name: /Apply “Corner Grocery”/ });
  await expect(apply.getByTestId("apply-preview")).toHaveText(
    "This would change 1 transaction (of 2 transactions that match).",
  );
  await expect(apply.getByRole("listitem")).toHaveCount(1);
  await expect(apply.getByRole("listitem")).toContainText(`${first.shown} · Corner Grocery`);
  await apply.getByRole("button", { name: "Apply to 1 transaction" }).click();
  await expect(apply).toHaveCount(0);
  await expect(page.getByText("“Corner Grocery” changed 1 transaction.")).toBeVisible();
  await rule
    .getByRole("button", { name: "Apply to existing transactions: Corner Grocery" })
    .click();
  await expect(apply.getByTestId("apply-preview")).toHaveText(
    "Nothing to change: 2 transactions match, and already look like this.",
  );
  await apply.getByRole("button", { name: "Cancel" }).click();

  // A new rule goes last; moved up, it comes first.
  await page.getByRole("button", { name: "New rule" }).click();
  const form = page.getByRole("dialog", { name: "New rule" });
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByText("Give the rule a name")).toBeVisible();
  await form.getByLabel("Name", { exact: true }).fill("Bakery treats");
  await form.getByLabel("Payee text").fill("bakery");
  await form.getByLabel("Amount from").fill("-10");
  await form.getByLabel("Set the category").selectOption({ label: "Dining out" });
  await form.getByLabel("Add tags").fill("treats");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form).toHaveCount(0);
  const names = rules.getByRole("listitem");
  await expect(names).toHaveCount(2);
  await expect(names.nth(1)).toHaveAccessibleName("Bakery treats");
  await expect(names.nth(1)).toContainText("amount at least -$10.00");
  await expect(names.nth(1)).toContainText("Then: Category: Dining out · tags: treats");
  await page.getByRole("button", { name: "Move Bakery treats up" }).click();
  await expect(names.nth(0)).toHaveAccessibleName("Bakery treats");
  await expect(names.nth(0)).toContainText("1.");

  // Edit: switch it off.
  await page.getByRole("button", { name: "Edit Bakery treats" }).click();
  const editRule = page.getByRole("dialog", { name: "Edit rule" });
  await expect(editRule.getByLabel("Amount from")).toHaveValue("-10.00");
  await editRule.getByLabel(/^On/).uncheck();
  await editRule.getByRole("button", { name: "Save" }).click();
  await expect(editRule).toHaveCount(0);
  await expect(names.nth(0)).toContainText("Off");

  await page.getByRole("button", { name: "Delete Bakery treats" }).click();
  await page
    .getByRole("dialog", { name: "Delete “Bakery treats”?" })
    .getByRole("button", { name: "Delete rule" })
    .click();
  await expect(names).toHaveCount(1);
  await expect(names.nth(0)).toHaveAccessibleName("Corner Grocery");
});
