import { expect, test } from "@playwright/test";

import { openSection, signUp, typed } from "./helpers";

/** Today and the same day a month and two months on, as the API (UTC) dates them. */
function monthly(): string[] {
  const now = new Date();
  return [0, 1, 2].map((offset) => {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    const last = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0)).getUTCDate();
    day.setUTCDate(Math.min(now.getUTCDate(), last));
    return day.toISOString().slice(0, 10);
  });
}

test("a recurring bill: scheduled, on the calendar, in the private iCal feed, revoked; alert thresholds", async ({
  page,
}) => {
  const [today] = monthly();
  await signUp(page, { name: "Bailey", householdName: "The Baileys" });

  await openSection(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const accountDialog = page.getByRole("dialog", { name: "New account" });
  await accountDialog.getByLabel("Name").fill("Bills checking");
  await accountDialog.getByLabel("Opened on").fill("2020-01-01");
  await accountDialog.getByRole("button", { name: "Create account" }).click();
  await expect(accountDialog).toHaveCount(0);

  await openSection(page, "Bills");
  await expect(page.getByText("Nothing scheduled yet")).toBeVisible();
  await page.getByRole("button", { name: "New scheduled transaction" }).click();
  const dialog = page.getByRole("dialog", { name: "New scheduled transaction" });
  await dialog.getByLabel("Payee").fill("City Power");
  await dialog.getByLabel("Amount").fill(typed(12_050));
  await dialog.getByLabel("First due date").fill(today ?? "");
  await dialog.getByRole("button", { name: "Add" }).click();
  await expect(dialog).toHaveCount(0);

  const scheduled = page.getByRole("list", { name: "Scheduled transactions" });
  await expect(scheduled.getByRole("listitem")).toHaveCount(1);
  await expect(scheduled.getByRole("paragraph").first()).toHaveText(/^City Power -\$120\.50$/);
  // The next five due dates: this month's day, then the same day of the next months.
  await expect(scheduled.getByRole("paragraph").nth(1)).toHaveText(/^Next: (.+, ){4}.+$/);
  const bills = page.getByRole("list", { name: "Bills" });
  await expect(bills.getByRole("listitem")).toHaveCount(1);
  await expect(bills.getByText("City Power")).toBeVisible();
  await expect(bills.getByText("Due", { exact: true })).toBeVisible();

  // Rename it through the form.
  await scheduled.getByRole("button", { name: "Edit City Power" }).click();
  const edit = page.getByRole("dialog", { name: "Edit scheduled transaction" });
  await edit.getByLabel("Payee").fill("City Power & Light");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toHaveCount(0);
  await expect(bills.getByText("City Power & Light")).toBeVisible();

  // The private calendar address: readable without signing in, until revoked.
  await page.getByRole("button", { name: "Make a calendar address" }).click();
  const address = page.getByLabel("Your calendar address (shown once)");
  await expect(address).toHaveValue(/\/api\/v1\/bill-calendars\/[A-Za-z0-9_-]+\.ics$/);
  const url = await address.inputValue();
  const feed = await page.request.get(url);
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toContain("text/calendar");
  const body = await feed.text();
  expect(body).toContain("BEGIN:VCALENDAR");
  expect(body).toContain("City Power & Light $120.50");
  await page.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("No calendar address.")).toBeVisible();
  expect((await page.request.get(url)).status()).toBe(404);

  await scheduled.getByRole("button", { name: "Delete City Power & Light" }).click();
  await expect(page.getByText("Nothing scheduled yet")).toBeVisible();
  await expect(page.getByText("No bills due this month")).toBeVisible();

  // Budget alert thresholds of a category: the defaults, then its own, kept after reopening.
  await openSection(page, "Categories");
  await page.getByRole("button", { name: "Edit Groceries" }).click();
  const category = page.getByRole("dialog", { name: "Edit Groceries" });
  const thresholds = category.getByLabel("Budget alerts at (% of the month's budget)");
  await expect(thresholds).toHaveValue("80, 100");
  await thresholds.fill("50, 90");
  await category.getByRole("button", { name: "Save alerts" }).click();
  await expect(category.getByRole("button", { name: "Use the defaults (80, 100)" })).toBeVisible();
  await category.getByRole("button", { name: "Close" }).click();
  await page.getByRole("button", { name: "Edit Groceries" }).click();
  await expect(
    page
      .getByRole("dialog", { name: "Edit Groceries" })
      .getByLabel("Budget alerts at (% of the month's budget)"),
  ).toHaveValue("50, 90");
});
