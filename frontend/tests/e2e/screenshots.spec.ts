import { expect, test, type Page } from "@playwright/test";

import {
  SEED_ACCOUNTS,
  SEED_BUDGET,
  SEED_MONTHS_AGO,
  apiLogin,
  exactUsd,
  horizontalOverflow,
  openSection,
  screenshot,
  seedEntries,
  seedHousehold,
  signUp,
  usd,
} from "./helpers";

/*
 * Every household page with a few months of data, in the viewport of the project (desktop 1280,
 * phone 390): a picture for review, a check that each page shows the seeded data (numbers worked
 * out here from what was seeded), and, on the phone, proof that nothing scrolls sideways.
 */
const thisMonth = seedEntries(0);
const spentThisMonth = -thisMonth
  .filter((entry) => entry.amount < 0)
  .reduce((sum, entry) => sum + entry.amount, 0);
const assignedThisMonth = SEED_BUDGET.reduce((sum, [, amount]) => sum + amount, 0);
const netWorth =
  SEED_ACCOUNTS.reduce((sum, account) => sum + account.opening_balance_minor, 0) +
  SEED_MONTHS_AGO.flatMap((monthsAgo) => seedEntries(monthsAgo)).reduce(
    (sum, entry) => sum + entry.amount,
    0,
  );
const visible = (page: Page, text: string) =>
  page.getByText(text, { exact: true }).filter({ visible: true });

const PAGES: {
  section: Parameters<typeof openSection>[1];
  name: string;
  heading: string | RegExp;
  shows: (page: Page) => Promise<void>;
}[] = [
  {
    section: "Dashboard",
    name: "dashboard",
    heading: "Dashboard",
    shows: async (page) => {
      const card = page
        .locator("section")
        .filter({ has: page.getByRole("heading", { name: "Spent vs budgeted" }) });
      await expect(card).toContainText(`${usd(spentThisMonth)} of ${usd(assignedThisMonth)}`);
    },
  },
  {
    section: "Transactions",
    name: "transactions",
    heading: "Transactions",
    shows: async (page) => {
      // The page opens on this month.
      for (const payee of ["Acme Corp payroll", "FreshMart", "Luigi's Trattoria"]) {
        await expect(visible(page, payee)).toHaveCount(
          thisMonth.filter((entry) => entry.payee === payee).length,
        );
      }
    },
  },
  {
    section: "Budget",
    name: "budget",
    heading: /^Budget/,
    shows: async (page) => {
      // A phone lists one line per category; its numbers open in a sheet when tapped.
      const phone = (page.viewportSize()?.width ?? 0) < 640;
      for (const [category, assigned] of SEED_BUDGET) {
        if (phone) await page.getByRole("button", { name: `${category}: `, exact: false }).click();
        await expect(
          page.getByRole("button", {
            name: `Assigned to ${category}: ${usd(assigned)}`,
            exact: true,
          }),
        ).toBeVisible();
        if (phone) {
          await page.keyboard.press("Escape");
          await expect(page.getByRole("dialog")).toBeHidden();
        }
      }
    },
  },
  {
    section: "Accounts",
    name: "accounts",
    heading: "Accounts",
    shows: async (page) => {
      for (const account of SEED_ACCOUNTS) await expect(visible(page, account.name)).toHaveCount(1);
      await expect(page.locator("dl").filter({ hasText: "Net worth" })).toContainText(
        exactUsd(netWorth),
      );
    },
  },
  {
    section: "Categories",
    name: "categories",
    heading: "Categories",
    shows: async (page) => {
      for (const [category] of SEED_BUDGET)
        await expect(visible(page, category).first()).toBeVisible();
    },
  },
  {
    section: "Household",
    name: "household",
    heading: "Household",
    shows: async (page) => {
      const members = page.getByRole("table", { name: "Members of Example family" });
      await expect(members.getByRole("row").filter({ hasText: "Pat Example (you)" })).toHaveCount(
        1,
      );
      await expect(members.getByRole("combobox", { name: "Role of Pat Example" })).toHaveValue(
        "owner",
      );
    },
  },
];

/** The page's data is in and every chart has drawn (charts are not animated: no waiting for frames). */
async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll(".recharts-responsive-container")).every((chart) =>
      chart.querySelector("svg.recharts-surface"),
    ),
  );
  await page.evaluate(() => document.fonts.ready);
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
    await item.shows(page);
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
