import { expect, test, type Page } from "@playwright/test";

import {
  apiLogin,
  horizontalOverflow,
  openSection,
  screenshot,
  seedHousehold,
  signUp,
  usd,
} from "./helpers";

/*
 * Every household page with a few months of data, in the viewport of the project (desktop 1280,
 * phone 390): a picture for review and, on the phone, proof that nothing scrolls sideways.
 */
const PAGES = [
  { section: "Dashboard", name: "dashboard", heading: "Dashboard" },
  { section: "Transactions", name: "transactions", heading: "Transactions" },
  { section: "Budget", name: "budget", heading: /^Budget/ },
  { section: "Accounts", name: "accounts", heading: "Accounts" },
  { section: "Categories", name: "categories", heading: "Categories" },
  { section: "Household", name: "household", heading: "Household" },
] as const;

async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
  // Charts animate in; give them their final frame.
  await page.waitForTimeout(300);
}

test("every page in light theme, the dashboard in dark theme, and no sideways scrolling on a phone", async ({
  page,
  request,
}, testInfo) => {
  const { email, householdId } = await signUp(page, {
    name: "Pat Example",
    householdName: "Example family",
  });
  if (!householdId) throw new Error("no household after sign up");
  await seedHousehold(request, await apiLogin(request, email), householdId);
  await page.reload();

  const phone = (page.viewportSize()?.width ?? 0) < 640;
  const overflowing: string[] = [];
  for (const item of PAGES) {
    await openSection(page, item.section);
    await expect(page.getByRole("heading", { level: 1, name: item.heading })).toBeVisible();
    await settle(page);
    await screenshot(page, testInfo, item.name);
    if (phone) {
      const { scrollWidth, innerWidth, culprits } = await horizontalOverflow(page);
      if (scrollWidth > innerWidth + 1) {
        const width = `${scrollWidth}px wide in a ${innerWidth}px viewport`;
        overflowing.push(`${item.name}: ${width}; sticking out: ${culprits.join("; ")}`);
      }
    }
  }
  expect.soft(overflowing, "pages wider than the phone screen").toEqual([]);

  await openSection(page, "Dashboard");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.evaluate(() => localStorage.setItem("fb-theme", "dark"));
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await settle(page);
  await screenshot(page, testInfo, "dashboard-dark");
});

test("adding a transaction works in this viewport (a bottom sheet on a phone)", async ({
  page,
}, testInfo) => {
  await signUp(page, { name: "Drew Small" });
  await openSection(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const accountDialog = page.getByRole("dialog", { name: "New account" });
  await accountDialog.getByLabel("Name").fill("Pocket money");
  await accountDialog.getByLabel("Kind").selectOption({ label: "Cash" });
  await accountDialog.getByLabel("Opening balance").fill("40");
  await accountDialog.getByRole("button", { name: "Create account" }).click();
  await expect(accountDialog).toBeHidden();

  await openSection(page, "Transactions");
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add transaction" });
  await dialog.getByLabel("Account").selectOption({ label: "Pocket money" });
  await dialog.getByLabel("Payee").fill("Cinema");
  await dialog.getByLabel("Amount", { exact: true }).fill("12.50");
  await dialog.getByLabel("Category").selectOption({ label: "Entertainment" });
  await screenshot(page, testInfo, "transaction-dialog");
  await dialog.getByRole("button", { name: "Add transaction" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row").filter({ hasText: "Cinema" })).toContainText(usd(-1_250));

  await openSection(page, "Accounts");
  await expect(page.getByText("Pocket money").filter({ visible: true })).toBeVisible();
  await expect(page.locator("dl").filter({ hasText: "Net worth" })).toContainText(
    `Net worth${usd(4_000 - 1_250)}`,
  );
});
