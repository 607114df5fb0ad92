import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { openSection, signUp, usd } from "./helpers";

/*
 * Bank sync end to end: the web app, the API, the worker and the demo bank (a local stand-in
 * for Plaid, started by playwright.config.ts). Connecting goes through the demo bank's Link page
 * in a popup; new bank activity arrives by signed webhook and a sync in the worker.
 */

function demoBank(): string {
  const url = process.env.E2E_DEMO_BANK_URL;
  if (!url) throw new Error("E2E_DEMO_BANK_URL is not set: run through playwright.config.ts");
  return url;
}

/** The demo bank's newest item (tests run one at a time, each connecting once). */
async function newestItemId(request: APIRequestContext): Promise<string> {
  const state = await (await request.get(`${demoBank()}/demo/state`)).json();
  const items = state.items as { item_id: string }[];
  const item = items.at(-1);
  if (!item) throw new Error("the demo bank has no item");
  return item.item_id;
}

async function connectDemoBank(page: Page): Promise<void> {
  await openSection(page, "Banks");
  const popupOpened = page.waitForEvent("popup");
  await page.getByRole("button", { name: "Connect a bank" }).click();
  const popup = await popupOpened;
  await expect(popup.getByRole("heading", { name: "Demo Bank" })).toBeVisible();
  await popup.getByLabel("First Platypus Bank").check();
  await popup.getByLabel("Username").fill("user_good");
  await popup.getByLabel("Password").fill("pass_good");
  await popup.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByText("First Platypus Bank is connected")).toBeVisible();
}

function connectionCard(page: Page) {
  return page
    .getByRole("region")
    .or(page.locator("section"))
    .filter({
      has: page.getByRole("heading", { name: "First Platypus Bank" }),
    });
}

test("connect the demo bank and see its transactions arrive", async ({ page, request }) => {
  const { householdId } = await signUp(page, { name: "Pat Banks", householdName: "The Banks" });
  await connectDemoBank(page);
  const card = connectionCard(page);
  // The first sync runs in the worker; the page follows it.
  await expect(card.getByTestId("connection-status")).toHaveText("Connected", { timeout: 30_000 });
  await expect(card.getByText(/Last updated/)).toBeVisible();

  // A purchase at the bank: its webhook makes the worker sync, and it shows as pending.
  const itemId = await newestItemId(request);
  const added = await request.post(`${demoBank()}/demo/items/${itemId}/transactions`, {
    data: { pending: true, amount: "42.17", merchant: "E2E CORNER CAFE" },
  });
  expect(added.ok()).toBeTruthy();
  await expect(card.getByRole("link", { name: /^Everyday Checking ••\d{4}$/ })).toBeVisible();

  await expect(async () => {
    await page.goto(`/h/${householdId}/transactions?month=all`);
    await expect(page.getByRole("row").filter({ hasText: "E2E CORNER CAFE" })).toBeVisible({
      timeout: 2_000,
    });
  }).toPass({ timeout: 30_000 });
  const row = page.getByRole("row").filter({ hasText: "E2E CORNER CAFE" });
  await expect(row).toContainText("Pending");
  await expect(row).toContainText(usd(-4217));

  // The bank's accounts are the household's accounts now.
  await openSection(page, "Accounts");
  await expect(page.getByRole("rowheader", { name: "Everyday Checking" })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "Platypus Savings" })).toBeVisible();
});

test("the bank asks to sign in again: fix the connection", async ({ page, request }) => {
  await signUp(page, { name: "Robin Reauth", householdName: "The Reauths" });
  await connectDemoBank(page);
  const card = connectionCard(page);
  await expect(card.getByTestId("connection-status")).toHaveText("Connected", { timeout: 30_000 });

  // The bank breaks the login (Plaid's ITEM_LOGIN_REQUIRED) and says so by webhook.
  const itemId = await newestItemId(request);
  const broken = await request.post(`${demoBank()}/demo/errors`, {
    data: { endpoint: "*", error_code: "ITEM_LOGIN_REQUIRED", item_id: itemId },
  });
  expect(broken.ok()).toBeTruthy();
  await expect(async () => {
    await page.reload();
    await expect(connectionCard(page).getByTestId("connection-status")).toHaveText(
      "Sign in again",
      { timeout: 2_000 },
    );
  }).toPass({ timeout: 30_000 });

  // "Fix connection" opens the bank in update mode; signing in repairs it.
  const popupOpened = page.waitForEvent("popup");
  await connectionCard(page).getByRole("button", { name: "Fix connection" }).click();
  const popup = await popupOpened;
  await expect(popup.getByText("Reconnect First Platypus Bank")).toBeVisible();
  await popup.getByLabel("Username").fill("user_good");
  await popup.getByLabel("Password").fill("pass_good");
  await popup.getByRole("button", { name: "Connect" }).click();

  await expect(async () => {
    await page.reload();
    await expect(connectionCard(page).getByTestId("connection-status")).toHaveText("Connected", {
      timeout: 2_000,
    });
  }).toPass({ timeout: 30_000 });
  await expect(connectionCard(page).getByRole("button", { name: "Fix connection" })).toHaveCount(0);
});
