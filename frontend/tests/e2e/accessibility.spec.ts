import AxeBuilder from "@axe-core/playwright";
import axe from "axe-core";
import {
  expect,
  request as playwrightRequest,
  test,
  type APIRequestContext,
  type APIResponse,
  type Browser,
  type Locator,
  type Page,
} from "@playwright/test";

import { PASSWORD, apiLogin, readOutboxLink, seedHousehold, signIn, uniqueEmail } from "./helpers";

/*
 * axe-core over every page and every dialog of the app, signed out and signed in, in the light
 * and the dark theme, on a phone and on a desktop: no serious or critical WCAG 2.1 A/AA violation.
 * Dialogs also have to take focus to their first field when they open and give it back to what
 * opened them when they close.
 *
 * To cover a new page, add it to SIGNED_OUT_PAGES or HOUSEHOLD_PAGES; a new dialog, to DIALOGS.
 */

const OWNER_NAME = "Alex Access";
const TEEN_NAME = "Robin Teen";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const AXE_ALREADY_LOADED = "void 0";
const FOCUS_WAIT = { timeout: 2_000 };
const BLOCKING_IMPACTS = new Set(["serious", "critical"]);

interface PageCheck {
  name: string;
  /** For household pages, the part after /h/<household id>/. */
  path: string;
  /** Something the page shows once its data has loaded (its h1 is always awaited). */
  loaded?: (page: Page) => Locator;
}

interface DialogCheck {
  name: string;
  /** The household page it opens from (the part after /h/<household id>/). */
  path: string;
  /** The element that opens the dialog, and that must have focus again once it closes. */
  opener: (page: Page) => Locator;
  /** How the opener opens it; a click unless said otherwise. */
  open?: (opener: Locator) => Promise<void>;
  /** Steps inside the open dialog before it is checked (a state worth checking on its own). */
  then?: (dialog: Locator) => Promise<void>;
}

const SIGNED_OUT_PAGES: PageCheck[] = [
  { name: "log in", path: "/login" },
  { name: "sign up", path: "/signup" },
  { name: "forgot password", path: "/forgot-password" },
  { name: "reset password", path: "/reset-password?token=not-a-real-token" },
  {
    name: "verify email",
    path: "/verify-email?token=not-a-real-token",
    loaded: (page) => page.getByText(/link is not valid/),
  },
  { name: "accept invitation", path: "/invitations/accept?token=not-a-real-token" },
];

const HOUSEHOLD_PAGES: PageCheck[] = [
  {
    name: "dashboard",
    path: "dashboard",
    loaded: (page) => page.getByRole("heading", { name: "Spent vs budgeted" }),
  },
  {
    name: "transactions",
    path: "transactions",
    loaded: (page) => page.getByText("Acme Corp payroll"),
  },
  {
    name: "budget",
    path: "budget",
    // The table's editable amounts on a desktop, one line per category on a phone.
    loaded: (page) =>
      page
        .getByRole("button", { name: /^Assigned to Groceries:/ })
        .or(page.getByRole("button", { name: /^Groceries: / })),
  },
  { name: "bills", path: "bills", loaded: (page) => page.getByText("Power & Light Co") },
  {
    name: "accounts",
    path: "accounts",
    loaded: (page) => page.getByText("Joint checking"),
  },
  { name: "categories", path: "categories", loaded: (page) => page.getByText("Groceries") },
  { name: "rules", path: "rules", loaded: (page) => page.getByText("Streaming") },
  { name: "import", path: "import" },
  { name: "banks", path: "bank-connections" },
  { name: "receipts", path: "receipts" },
  { name: "exports", path: "exports" },
  {
    name: "account register",
    path: "accounts/{checking}",
    loaded: (page) => page.getByRole("button", { name: "Reconcile" }),
  },
  {
    name: "household",
    path: "members",
    loaded: (page) => page.getByText(TEEN_NAME, { exact: true }),
  },
  { name: "profile", path: "profile" },
];

/** Pages outside a household, visited signed in. */
const ACCOUNT_PAGES: PageCheck[] = [{ name: "new household", path: "/households/new" }];

const button = (page: Page, name: string | RegExp) =>
  page.getByRole("button", { name, exact: typeof name === "string" }).filter({ visible: true });

const DIALOGS: DialogCheck[] = [
  {
    name: "add transaction",
    path: "transactions",
    opener: (page) => button(page, "Add transaction").first(),
  },
  {
    name: "add transaction, errors shown",
    path: "transactions",
    opener: (page) => button(page, "Add transaction").first(),
    then: async (dialog) => {
      await dialog.getByRole("button", { name: /^(Add|Save)/ }).click();
      await expect(dialog.getByRole("alert").first()).toBeVisible();
    },
  },
  {
    name: "add transaction, split",
    path: "transactions",
    opener: (page) => button(page, "Add transaction").first(),
    then: async (dialog) => {
      await dialog.getByRole("button", { name: "Split across categories" }).click();
    },
  },
  {
    name: "edit transaction",
    path: "transactions",
    opener: (page) => button(page, /^Edit Acme Corp payroll,/).first(),
  },
  {
    name: "record transfer",
    path: "transactions",
    opener: (page) => button(page, "Record transfer"),
  },
  {
    name: "copy last month",
    path: "budget",
    opener: (page) => button(page, "Copy last month"),
  },
  {
    // A desktop moves money from the table; a phone opens the category's sheet first.
    name: "move money or a category's sheet",
    path: "budget",
    opener: (page) =>
      button(page, "Move money from Groceries")
        .or(button(page, /^Groceries: /))
        .first(),
  },
  {
    name: "quick add",
    path: "dashboard",
    opener: (page) => button(page, "Quick add a transaction"),
  },
  { name: "reconcile", path: "accounts/{checking}", opener: (page) => button(page, "Reconcile") },
  { name: "new account", path: "accounts", opener: (page) => button(page, "New account") },
  { name: "edit account", path: "accounts", opener: (page) => button(page, "Edit Joint checking") },
  {
    name: "delete account",
    path: "accounts",
    opener: (page) => button(page, "Delete Joint checking"),
  },
  { name: "new category group", path: "categories", opener: (page) => button(page, "New group") },
  {
    name: "rename category group",
    path: "categories",
    opener: (page) => button(page, /^Rename group /).first(),
  },
  {
    name: "delete category group",
    path: "categories",
    opener: (page) => button(page, /^Delete group /).first(),
  },
  {
    name: "add category",
    path: "categories",
    opener: (page) => button(page, /^Add category to /).first(),
  },
  { name: "edit category", path: "categories", opener: (page) => button(page, "Edit Groceries") },
  {
    name: "merge category",
    path: "categories",
    opener: (page) => button(page, "Merge Groceries into another category"),
  },
  {
    name: "new scheduled transaction",
    path: "bills",
    opener: (page) => button(page, "New scheduled transaction"),
  },
  {
    name: "edit scheduled transaction",
    path: "bills",
    opener: (page) => button(page, "Edit Power & Light Co"),
  },
  { name: "new rule", path: "rules", opener: (page) => button(page, "New rule") },
  { name: "edit rule", path: "rules", opener: (page) => button(page, "Edit Streaming") },
  {
    name: "apply rule",
    path: "rules",
    opener: (page) => button(page, "Apply to existing transactions: Streaming"),
  },
  { name: "delete rule", path: "rules", opener: (page) => button(page, "Delete Streaming") },
  {
    name: "remove member",
    path: "members",
    opener: (page) => button(page, `Remove ${TEEN_NAME}`),
  },
  {
    name: "change own role",
    path: "members",
    opener: (page) => page.getByLabel(`Role of ${OWNER_NAME}`),
    // A person picking from the list has focused it first; selectOption alone does not.
    open: async (opener) => {
      await opener.focus();
      await opener.selectOption("adult");
    },
  },
  { name: "leave household", path: "members", opener: (page) => button(page, "Leave household") },
  {
    name: "delete household",
    path: "members",
    opener: (page) => button(page, "Delete household"),
  },
];

const VIEWPORTS = [
  { name: "phone", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  { name: "desktop", viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false },
] as const;
const THEMES = ["light", "dark"] as const;

interface Household {
  id: string;
  ownerEmail: string;
  /** Joint checking's id, for its register page (`{checking}` in a path). */
  checkingId: string;
}

let household: Household;

test.beforeAll(async ({ baseURL }) => {
  const api = await playwrightRequest.newContext({ baseURL: baseURL! });
  try {
    household = await seedEverything(api);
  } finally {
    await api.dispose();
  }
});

test("every dialog opens from a page listed here", () => {
  const orphans = DIALOGS.filter(
    (dialog) => !HOUSEHOLD_PAGES.some((page) => page.path === dialog.path),
  );
  expect(orphans.map((dialog) => dialog.name)).toEqual([]);
});

/*
 * One browser context per viewport (and per theme: each page and dialog is checked in the light
 * theme the context starts in, then again after switching it to dark the way the theme toggle
 * does, by the `dark` class on <html>; switching costs nothing, loading every page twice more
 * would double the run).
 */
for (const size of VIEWPORTS) {
  test(`no serious or critical axe violations: ${size.name}, ${THEMES.join(" and ")}`, async ({
    browser,
  }) => {
    // Some 45 pages and dialog states, each checked twice: more than the default minute on a
    // busy machine (about two minutes per viewport where it was written, with the CPUs shared).
    test.setTimeout(180_000);
    const found = await checkEverything(browser, size);
    expect(found, found.join("\n\n")).toEqual([]);
  });
}

async function checkEverything(
  browser: Browser,
  size: (typeof VIEWPORTS)[number],
): Promise<string[]> {
  const context = await browser.newContext({
    viewport: size.viewport,
    isMobile: size.isMobile,
    hasTouch: size.hasTouch,
    colorScheme: "light",
  });
  // axe-core goes into each document once, as it loads, rather than into every check: the pages
  // of a household are reached through the app's links, so one document serves most checks.
  await context.addInitScript({ content: axe.source });
  const page = await context.newPage();
  const found: string[] = [];
  const check = async (where: string, include?: string) => {
    for (const theme of THEMES) {
      // Buttons fade between colours: axe must see where they end, not a frame on the way
      // (spinners' endless animations are left alone).
      await page.evaluate(async (dark) => {
        document.documentElement.classList.toggle("dark", dark);
        const fades = document
          .getAnimations()
          .filter((animation) => animation instanceof CSSTransition);
        await Promise.all(fades.map((fade) => fade.finished));
      }, theme === "dark");
      found.push(...(await violations(page, `${where} (${size.name}, ${theme})`, include)));
    }
    await page.evaluate(() => document.documentElement.classList.remove("dark"));
  };
  try {
    for (const entry of SIGNED_OUT_PAGES) {
      await visit(page, entry.path, entry);
      await check(`${entry.name} page`);
    }
    await signIn(page, household.ownerEmail);
    for (const entry of HOUSEHOLD_PAGES) {
      await visit(
        page,
        `/h/${household.id}/${entry.path.replace("{checking}", household.checkingId)}`,
        entry,
      );
      await check(`${entry.name} page`);
      for (const dialogEntry of DIALOGS.filter((dialog) => dialog.path === entry.path)) {
        const dialog = await openDialog(page, dialogEntry);
        await check(`${dialogEntry.name} dialog`, '[role="dialog"]');
        await closeDialog(page, dialogEntry, dialog);
      }
    }
    for (const entry of ACCOUNT_PAGES) {
      await visit(page, entry.path, entry);
      await check(`${entry.name} page`);
    }
  } finally {
    await context.close();
  }
  return found;
}

async function visit(page: Page, path: string, entry: PageCheck): Promise<void> {
  // Through the app's own links where there is one (a full load costs a session refresh).
  const link = page.locator(`a[href="${path}"]`).filter({ visible: true }).first();
  if ((await link.count()) > 0) {
    await link.click();
    await page.waitForURL((url) => url.pathname === path);
  } else await page.goto(path);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  if (entry.loaded)
    await expect(entry.loaded(page).filter({ visible: true }).first()).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
}

async function openDialog(page: Page, check: DialogCheck): Promise<Locator> {
  const opener = check.opener(page);
  await (check.open ?? ((element: Locator) => element.click()))(opener);
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  // Focus goes to the first field a person fills in; a dialog without fields (a confirmation)
  // keeps it inside itself.
  const firstField = dialog
    .locator("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea")
    .first();
  // Soft and short: every dialog is still checked by axe when one gets focus wrong, and focus
  // moves as the dialog mounts or not at all.
  if ((await firstField.count()) > 0)
    await expect
      .soft(firstField, `focus on the first field of ${check.name}`)
      .toBeFocused(FOCUS_WAIT);
  else
    await expect
      .soft(dialog.locator(":focus"), `focus inside ${check.name}`)
      .toHaveCount(1, FOCUS_WAIT);
  if (check.then) await check.then(dialog);
  return dialog;
}

async function closeDialog(page: Page, check: DialogCheck, dialog: Locator): Promise<void> {
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect
    .soft(check.opener(page), `focus back on the opener of ${check.name}`)
    .toBeFocused(FOCUS_WAIT);
}

async function violations(page: Page, where: string, include?: string): Promise<string[]> {
  // The init script has put axe-core in the page already; AxeBuilder only runs and reports.
  // Legacy mode runs axe in the page itself rather than in a blank page opened for every check
  // (needed only for cross-origin frames, and the app has none).
  let builder = new AxeBuilder({ page, axeSource: AXE_ALREADY_LOADED })
    .withTags(WCAG_TAGS)
    .options({ resultTypes: ["violations"] })
    .setLegacyMode();
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  return results.violations
    .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ""))
    .map((violation) => {
      const nodes = violation.nodes
        .map((node) => `    ${node.target.join(" ")}\n      ${node.failureSummary ?? ""}`)
        .join("\n");
      return `${where}: ${violation.id} (${violation.impact}) ${violation.help}\n${nodes}`;
    });
}

/** A 1×1 white PNG: a receipt photo with nothing to read on it. */
const BLANK_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";

/** One household with something on every page: accounts, months of transactions, a budget, a
 * bill, a rule, a teen member, a pending invitation, a receipt and an export. */
async function seedEverything(api: APIRequestContext): Promise<Household> {
  const ownerEmail = uniqueEmail("alex-access");
  await expectOk(
    api.post("/api/v1/auth/register", {
      data: { name: OWNER_NAME, email: ownerEmail, password: PASSWORD, currency: "USD" },
    }),
  );
  const token = await apiLogin(api, ownerEmail);
  const headers = { Authorization: `Bearer ${token}` };
  const [first] = (await expectOk(api.get("/api/v1/households", { headers }))) as { id: string }[];
  const householdId = first!.id;
  const base = `/api/v1/households/${householdId}`;

  // The invitation emails go first: the worker sends them while the rest is seeded.
  const teenEmail = uniqueEmail("robin-teen");
  for (const [email, role] of [
    [teenEmail, "teen"],
    [uniqueEmail("pending"), "adult"],
  ])
    await expectOk(api.post(`${base}/invitations`, { headers, data: { email, role } }));

  await seedHousehold(api, token, householdId);
  const accounts = (await expectOk(api.get(`${base}/accounts`, { headers }))) as {
    id: string;
    name: string;
  }[];
  const today = new Date().toISOString().slice(0, 10);
  await expectOk(
    api.post(`${base}/scheduled`, {
      headers,
      data: {
        account_id: accounts.find((account) => account.name === "Joint checking")!.id,
        payee: "Power & Light Co",
        amount_minor: -11_250,
        rrule: "FREQ=MONTHLY;BYMONTHDAY=28",
        starts_on: today,
      },
    }),
  );
  await expectOk(
    api.post(`${base}/rules`, {
      headers,
      data: {
        name: "Streaming",
        conditions: { payee: { match: "contains", value: "StreamFlix" } },
        actions: { tags: ["streaming"] },
      },
    }),
  );
  await expectOk(
    api.post(`${base}/exports`, {
      headers,
      data: { kind: "transactions_csv", from: `${today.slice(0, 7)}-01`, to: today },
    }),
  );
  await expectOk(
    api.post(`${base}/receipts`, {
      headers,
      multipart: {
        file: {
          name: "receipt.png",
          mimeType: "image/png",
          buffer: Buffer.from(BLANK_PNG, "base64"),
        },
      },
    }),
  );

  const link = await readOutboxLink(teenEmail, "invitation", { timeoutMs: 30_000 });
  await expectOk(
    api.post("/api/v1/auth/register", {
      data: { name: TEEN_NAME, email: teenEmail, password: PASSWORD, create_household: false },
    }),
  );
  const teenToken = await apiLogin(api, teenEmail);
  await expectOk(
    api.post("/api/v1/invitations/accept", {
      headers: { Authorization: `Bearer ${teenToken}` },
      data: { token: new URL(link, "http://localhost").searchParams.get("token") },
    }),
  );
  const checkingId = accounts.find((account) => account.name === "Joint checking")!.id;
  return { id: householdId, ownerEmail, checkingId };
}

async function expectOk(response: Promise<APIResponse>): Promise<unknown> {
  const answer = await response;
  expect(answer.ok(), `${answer.url()}: ${await answer.text()}`).toBe(true);
  return answer.json();
}
