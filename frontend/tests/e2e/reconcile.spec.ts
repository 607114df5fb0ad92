import { expect, test } from "@playwright/test";

import { apiLogin, exactUsd, horizontalOverflow, openSection, signUp, typed, usd } from "./helpers";

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** Today as the API (UTC) dates it; the Transactions page opens on this month. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

test("mark rows cleared and reconcile an account with an adjustment, on a phone", async ({
  page,
  request,
}) => {
  const { email, householdId } = await signUp(page, { name: "Rita", householdName: "Ritas" });
  const headers = { Authorization: `Bearer ${await apiLogin(request, email)}` };
  const base = `/api/v1/households/${householdId}`;
  const created = await request.post(`${base}/accounts`, {
    headers,
    data: { name: "Everyday checking", kind: "checking", opening_balance_minor: 100_000 },
  });
  expect(created.ok(), await created.text()).toBe(true);
  const accountId = ((await created.json()) as { id: string }).id;
  for (const [payee, amount, cleared] of [
    ["Acme payroll", 200_000, "cleared"],
    ["Grocer", -4_500, "uncleared"],
    ["Cafe", -1_250, "uncleared"],
  ] as const) {
    const response = await request.post(`${base}/transactions`, {
      headers,
      data: { account_id: accountId, posted_on: today(), payee, amount_minor: amount, cleared },
    });
    expect(response.ok(), await response.text()).toBe(true);
  }

  // Loaded afresh: the dashboard read the accounts before the API added one.
  await page.reload();
  await openSection(page, "Accounts");
  await page.getByRole("link", { name: "Everyday checking" }).click();
  await expect(page.getByRole("heading", { name: "Everyday checking" })).toBeVisible();
  const register = page.getByRole("list", { name: "Register" });
  // Newest first: Cafe was entered last, so it shows the whole balance.
  await expect(register.getByRole("listitem").first()).toContainText(exactUsd(294_250));
  expect((await horizontalOverflow(page)).culprits).toEqual([]);

  await register.getByRole("button", { name: /^Uncleared: Grocer/ }).click();
  await expect(register.getByRole("button", { name: /^Cleared: Grocer/ })).toHaveText("c");
  const balances = page.getByRole("definition").first();
  await expect(balances).toHaveText(usd(295_500));

  await page.getByRole("button", { name: "Reconcile" }).click();
  const dialog = page.getByRole("dialog", { name: "Reconcile" });
  await dialog.getByLabel("Statement date").fill(today());
  await dialog.getByLabel("Bank balance").fill(typed(295_000));
  await expect(dialog.getByTestId("reconcile-difference")).toHaveText(usd(-500));
  await expect(dialog.getByRole("button", { name: "Finish", exact: true })).toBeDisabled();
  await dialog.getByRole("button", { name: "Add adjustment and finish" }).click();
  await expect(dialog).toHaveCount(0);

  await expect(page.getByText("Reconciled with an adjustment: 3 transactions.")).toBeVisible();
  for (const payee of ["Acme payroll", "Grocer", "Reconciliation adjustment"])
    await expect(
      register.getByRole("button", { name: new RegExp(`^Reconciled: ${payee}`) }),
    ).toHaveText("R");
  await expect(register.getByRole("button", { name: /^Uncleared: Cafe/ })).toBeVisible();
  await expect(balances).toHaveText(usd(295_000));
  expect((await horizontalOverflow(page)).culprits).toEqual([]);

  // Changing a reconciled amount asks first, then goes through and leaves the row cleared.
  await openSection(page, "Transactions");
  await page
    .getByRole("button", { name: /^Edit Grocer/ })
    .first()
    .click();
  const edit = page.getByRole("dialog", { name: "Edit transaction" });
  await edit.getByLabel("Amount").fill(typed(4_600));
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit.getByText(/was reconciled with a bank statement/)).toBeVisible();
  await edit.getByRole("button", { name: "Save anyway" }).click();
  await expect(edit).toHaveCount(0);
  await page.goto(`/h/${householdId}/accounts/${accountId}`);
  await expect(register.getByRole("button", { name: /^Cleared: Grocer/ })).toHaveText("c");
});
