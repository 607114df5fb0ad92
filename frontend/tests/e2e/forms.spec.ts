import { expect, test } from "@playwright/test";

import { openSection, signUp, typed, usd } from "./helpers";

test("a field the API refuses is marked at that field and nothing typed is lost", async ({
  page,
}) => {
  await signUp(page, { name: "Morgan" });
  await openSection(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const dialog = page.getByRole("dialog", { name: "New account" });
  await dialog.getByLabel("Name").fill("Heirloom savings");
  await dialog.getByLabel("Kind").selectOption({ label: "Savings" });
  await dialog.getByLabel("Opening balance").fill("250.00");
  // The browser accepts any date; only the API knows the dates it keeps (1900 to 2199).
  await dialog.getByLabel("Opened on").fill("1850-06-01");
  await dialog.getByRole("button", { name: "Create account" }).click();

  const openedOn = dialog.getByLabel("Opened on");
  await expect(openedOn).toHaveAttribute("aria-invalid", "true");
  await expect(openedOn).toHaveAccessibleDescription(/1900/);
  await expect(dialog.getByText("Please correct the highlighted fields.")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveValue("Heirloom savings");
  await expect(dialog.getByLabel("Name")).not.toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Kind")).toHaveValue("savings");
  await expect(dialog.getByLabel("Opening balance")).toHaveValue("250.00");
  await expect(openedOn).toHaveValue("1850-06-01");

  await openedOn.fill(new Date().toISOString().slice(0, 10));
  await dialog.getByRole("button", { name: "Create account" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row").filter({ hasText: "Heirloom savings" })).toContainText(
    usd(25_000),
  );
});

test("when the server cannot be reached, saving says so and the dialog keeps its values", async ({
  page,
}) => {
  await signUp(page, { name: "Casey" });
  await openSection(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const accountDialog = page.getByRole("dialog", { name: "New account" });
  await accountDialog.getByLabel("Name").fill("Household checking");
  await accountDialog.getByRole("button", { name: "Create account" }).click();
  await expect(accountDialog).toBeHidden();

  await openSection(page, "Transactions");
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add transaction" });
  await dialog.getByLabel("Account").selectOption({ label: "Household checking" });
  await dialog.getByLabel("Payee").fill("Offline bakery");
  await dialog.getByLabel("Amount", { exact: true }).fill(typed(4_250));
  await dialog.getByLabel("Category").selectOption({ label: "Dining out" });
  await dialog.getByLabel("Memo").fill("birthday cake");

  // The connection drops for the save, and only for it.
  const saving = (url: URL, method: string) =>
    method === "POST" && /\/api\/v1\/households\/[^/]+\/transactions$/.test(url.pathname);
  await page.route(
    (url) => url.pathname.endsWith("/transactions"),
    (route) =>
      saving(new URL(route.request().url()), route.request().method())
        ? route.abort("internetdisconnected")
        : route.fallback(),
  );
  await dialog.getByRole("button", { name: "Add transaction" }).click();
  await expect(
    dialog.getByRole("alert").filter({ hasText: "We could not reach Family Budget" }),
  ).toBeVisible();
  await expect(dialog.getByLabel("Payee")).toHaveValue("Offline bakery");
  await expect(dialog.getByLabel("Amount", { exact: true })).toHaveValue(typed(4_250));
  await expect(dialog.getByLabel("Category").locator("option:checked")).toHaveText("Dining out");
  await expect(dialog.getByLabel("Memo")).toHaveValue("birthday cake");
  await expect(dialog.getByRole("button", { name: "Add transaction" })).toBeEnabled();

  // Back online, the same dialog saves what was typed.
  await page.unrouteAll();
  await dialog.getByRole("button", { name: "Add transaction" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row").filter({ hasText: "Offline bakery" })).toContainText(
    usd(-4_250),
  );
});
