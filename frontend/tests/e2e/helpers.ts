import { readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";

/** The backend's data directory of this run (set by playwright.config.ts). */
export function dataDir(): string {
  const dir = process.env.E2E_DATA_DIR;
  if (!dir)
    throw new Error(
      "E2E_DATA_DIR is not set: run the tests with `npx playwright test` so the config starts the servers.",
    );
  return dir;
}

export const PASSWORD = "correct horse battery staple 42";

let counter = 0;
/** An address nobody else in this run uses (tests run in parallel against one backend). */
export function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${process.pid}-${counter}@example.com`;
}

export interface SignUpOptions {
  name: string;
  email?: string;
  password?: string;
  householdName?: string;
  currency?: string;
  /** A path to come back to after signing up (an invitation link). */
  next?: string;
}

export interface SignedUp {
  email: string;
  password: string;
  /** The household created along with the account (absent when `next` led elsewhere). */
  householdId: string | null;
}

/** Create an account through the sign-up page; it signs in and opens the new household. */
export async function signUp(page: Page, options: SignUpOptions): Promise<SignedUp> {
  const email = options.email ?? uniqueEmail(options.name.toLowerCase().replace(/\W+/g, "-"));
  const password = options.password ?? PASSWORD;
  await page.goto(options.next ? `/signup?next=${encodeURIComponent(options.next)}` : "/signup");
  await page.getByLabel("Your name").fill(options.name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  // Someone signing up to accept an invitation joins that household and creates none.
  const joining = options.next?.startsWith("/invitations/accept") ?? false;
  if (!joining) {
    if (options.householdName)
      await page.getByLabel("Household name (optional)").fill(options.householdName);
    await page.getByLabel("Currency").selectOption(options.currency ?? "USD");
  } else {
    await expect(page.getByLabel("Currency")).toHaveCount(0);
  }
  await page.getByRole("button", { name: "Create account" }).click();
  if (options.next) return { email, password, householdId: null };
  await page.waitForURL(/\/h\/[^/]+\/dashboard/);
  return { email, password, householdId: householdIdOf(page) };
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/h\/[^/]+\//);
}

export function householdIdOf(page: Page): string {
  const match = /\/h\/([^/?#]+)/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`Not on a household page: ${page.url()}`);
  return match[1];
}

/** Open a section of the current household through the navigation, as a person would. */
export async function openSection(
  page: Page,
  label:
    | "Dashboard"
    | "Transactions"
    | "Budget"
    | "Bills"
    | "Accounts"
    | "Banks"
    | "Categories"
    | "Rules"
    | "Household"
    | "Profile",
): Promise<void> {
  // One "Sections" navigation is shown at a time: the header's tabs from the md breakpoint on,
  // the bottom tabs below it, where the sections without a tab are behind "More".
  const sections = page.getByRole("navigation", { name: "Sections" });
  await expect(sections).toBeVisible();
  if ((await sections.getByRole("link", { name: label, exact: true }).count()) === 0) {
    await sections.getByRole("button", { name: "More" }).click();
    const sheet = page.getByRole("dialog", { name: "More" });
    const link = sheet.getByRole("link", { name: label, exact: true });
    const href = await link.getAttribute("href");
    await link.click();
    await expect(sheet).toBeHidden();
    await page.waitForURL((url) => url.pathname === href);
    return;
  }
  await sections.getByRole("link", { name: label, exact: true }).click();
  await expect(
    page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: label, exact: true }),
  ).toHaveAttribute("aria-current", "page");
}

const TEMPLATES = {
  verify: "email_verification",
  reset: "password_reset",
  invitation: "household_invitation",
} as const;
const PAGES = {
  verify: "/verify-email",
  reset: "/reset-password",
  invitation: "/invitations/accept",
} as const;
export type OutboxKind = keyof typeof TEMPLATES;

interface OutboxMessage {
  to: string;
  template: string;
  text: string;
  sent_at: string;
}

/**
 * The link of the newest email of this kind to this address, as a path for page.goto. Emails are
 * sent after the API has answered, so this waits for the file to appear.
 */
export async function readOutboxLink(
  email: string,
  kind: OutboxKind,
  { timeoutMs = 10_000 } = {},
): Promise<string> {
  const outbox = path.join(dataDir(), "outbox");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = newestMessage(outbox, email, TEMPLATES[kind]);
    if (message) {
      const url = message.text
        .match(/https?:\/\/\S+/g)
        ?.map((found) => new URL(found))
        .find((found) => found.pathname === PAGES[kind]);
      if (!url)
        throw new Error(
          `The ${kind} email to ${email} has no ${PAGES[kind]} link:\n${message.text}`,
        );
      return `${url.pathname}${url.search}`;
    }
    if (Date.now() > deadline)
      throw new Error(`No ${kind} email to ${email} in ${outbox} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function newestMessage(outbox: string, email: string, template: string): OutboxMessage | undefined {
  let files: string[];
  try {
    files = readdirSync(outbox).filter((name) => name.endsWith(".json"));
  } catch {
    return undefined;
  }
  return files
    .map((name) => JSON.parse(readFileSync(path.join(outbox, name), "utf8")) as OutboxMessage)
    .filter(
      (message) =>
        message.to.toLowerCase() === email.toLowerCase() && message.template === template,
    )
    .sort((a, b) => a.sent_at.localeCompare(b.sent_at))
    .at(-1);
}

/**
 * An amount as the app shows it (en-US, the locale the tests run in), from integer minor units,
 * so expectations are written as cents: usd(317950) → "$3,179.50", usd(-5000) → "-$50.00".
 */
export function usd(minor: number): string {
  return money(minor, "USD", 2);
}

/**
 * usd(minor) inside a longer text, but not as the tail of a negative amount: "$129.50" must not
 * pass for "-$129.50", as toContainText(usd(12950)) lets it. (A longer amount cannot match:
 * "$1,129.50" does not contain "$129.50".)
 */
export function exactUsd(minor: number): RegExp {
  const escaped = usd(minor).replace(/[$.*+?^{}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![-\u2212])${escaped}`);
}

export function money(minor: number, code: string, exponent: number): string {
  const negative = minor < 0;
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, "0");
  const decimal =
    exponent > 0 ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
  const formatted = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: code,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(decimal as unknown as number);
  return negative && !formatted.startsWith("-") ? `-${formatted}` : formatted;
}

/** An amount as typed into a money field: 12050 → "120.50". */
export function typed(minor: number, exponent = 2): string {
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, "0");
  const text = exponent > 0 ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
  return minor < 0 ? `-${text}` : text;
}

/** A viewport name for file names: "phone" below the sm breakpoint, "desktop" above. */
export function viewportName(page: Page): string {
  const width = page.viewportSize()?.width ?? 0;
  return width < 640 ? `phone-${width}` : `desktop-${width}`;
}

/**
 * Save a full-page screenshot to test-results/screenshots/<name>-<viewport>.png and attach it to
 * the HTML report. Animations are frozen so the pictures compare well run to run.
 */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const dir = path.join(testInfo.project.outputDir, "screenshots");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}-${viewportName(page)}.png`);
  const body = await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  await testInfo.attach(`${name}-${viewportName(page)}`, { body, contentType: "image/png" });
  return file;
}

/**
 * How wide the page is against the viewport it was given, and the outermost elements that stick
 * out. The configured width is the yardstick: on an emulated phone, Chromium zooms out to fit
 * wide content, which makes window.innerWidth grow along with the page.
 */
export async function horizontalOverflow(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  const width = page.viewportSize()?.width ?? 0;
  return page.evaluate((viewportWidth) => {
    const scrollWidth = document.scrollingElement?.scrollWidth ?? 0;
    const innerWidth = Math.min(window.innerWidth, viewportWidth);
    const describe = (element: Element) => {
      const label =
        element.getAttribute("aria-label") ??
        element.querySelector("h1, h2, h3")?.textContent ??
        element.textContent ??
        "";
      const classes =
        typeof element.className === "string"
          ? element.className.split(/\s+/).slice(0, 4).join(".")
          : "";
      const tag = `<${element.tagName.toLowerCase()}${classes ? `.${classes}` : ""}>`;
      const rightEdge = Math.round(element.getBoundingClientRect().right);
      return `${tag} "${label.trim().slice(0, 40)}" right edge ${rightEdge}px`;
    };
    // Content inside a scroll container (the section tabs) may be wider: it scrolls on its own.
    const clipped = (element: Element) => {
      for (
        let parent = element.parentElement;
        parent && parent !== document.body;
        parent = parent.parentElement
      ) {
        if (getComputedStyle(parent).overflowX !== "visible") return true;
      }
      return false;
    };
    const sticking = [...document.body.querySelectorAll("*")].filter(
      (element) => element.getBoundingClientRect().right > innerWidth + 1 && !clipped(element),
    );
    // Report the outermost ones: their children stick out because they do.
    const culprits = sticking
      .filter((element) => !sticking.includes(element.parentElement as Element))
      .slice(0, 5)
      .map(describe);
    return { scrollWidth, innerWidth, culprits };
  }, width);
}

/** A bearer token for calling the API directly, as a script or another client would. */
export async function apiLogin(
  request: APIRequestContext,
  email: string,
  password = PASSWORD,
): Promise<string> {
  const response = await request.post("/api/v1/auth/login", { data: { email, password } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

interface CategoryGroupRead {
  name: string;
  categories?: { id: string; name: string }[] | null;
}

/** ISO date `monthsAgo` months before today, on `day` (UTC, like the tests' browser). */
function isoDay(monthsAgo: number, day: number): string {
  const now = new Date();
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  // Never in the future: this month's entries stay on or before today.
  const limit = monthsAgo === 0 ? Math.min(lastDay, now.getUTCDate()) : lastDay;
  date.setUTCDate(Math.min(day, limit));
  return date.toISOString().slice(0, 10);
}

/**
 * Fill a household with a few months of ordinary life through the API (fast, and not what the
 * screenshot tests are about): three accounts, income and spending over three months, a budget.
 */
/** What seedHousehold creates, so tests can check the numbers the app shows for it. */
export const SEED_ACCOUNTS = [
  { name: "Joint checking", kind: "checking", opening_balance_minor: 250_000 },
  { name: "Family Visa", kind: "credit_card", opening_balance_minor: -30_000 },
  { name: "Emergency savings", kind: "savings", opening_balance_minor: 800_000 },
] as const;
export const SEED_MONTHS_AGO = [2, 1, 0] as const;
export function seedEntries(
  monthsAgo: number,
): { account: string; payee: string; amount: number; category: string; day: number }[] {
  return [
    {
      account: "Joint checking",
      payee: "Acme Corp payroll",
      amount: 420_000,
      category: "Salary",
      day: 1,
    },
    {
      account: "Joint checking",
      payee: "City Apartments",
      amount: -145_000,
      category: "Rent or mortgage",
      day: 2,
    },
    { account: "Family Visa", payee: "FreshMart", amount: -18_734, category: "Groceries", day: 3 },
    { account: "Family Visa", payee: "FreshMart", amount: -9_215, category: "Groceries", day: 10 },
    {
      account: "Family Visa",
      payee: "Luigi's Trattoria",
      amount: -6_480,
      category: "Dining out",
      day: 5,
    },
    {
      account: "Joint checking",
      payee: "Power & Light Co",
      amount: -11_250 - monthsAgo * 700,
      category: "Utilities",
      day: 4,
    },
    {
      account: "Family Visa",
      payee: "Metro transit",
      amount: -4_500,
      category: "Public transport",
      day: 6,
    },
    {
      account: "Family Visa",
      payee: "StreamFlix",
      amount: -1_599,
      category: "Subscriptions",
      day: 7,
    },
  ];
}
export const SEED_BUDGET: [string, number][] = [
  ["Rent or mortgage", 145_000],
  ["Groceries", 30_000],
  ["Dining out", 5_000],
  ["Utilities", 12_000],
  ["Public transport", 6_000],
  ["Subscriptions", 1_600],
  ["Emergency fund", 50_000],
];

export async function seedHousehold(
  request: APIRequestContext,
  token: string,
  householdId: string,
): Promise<void> {
  const headers = { Authorization: `Bearer ${token}` };
  const base = `/api/v1/households/${householdId}`;
  const post = async (url: string, data: unknown) => {
    const response = await request.post(`${base}${url}`, { headers, data });
    expect(response.ok(), `${url}: ${await response.text()}`).toBe(true);
    return (await response.json()) as { id: string };
  };

  const groups = (await (
    await request.get(`${base}/categories`, { headers })
  ).json()) as CategoryGroupRead[];
  const category = (name: string) => {
    const found = groups
      .flatMap((group) => group.categories ?? [])
      .find((item) => item.name === name);
    if (!found) throw new Error(`No category ${name}`);
    return found.id;
  };

  const opened = isoDay(3, 1);
  const ids: Record<string, string> = {};
  for (const account of SEED_ACCOUNTS) {
    ids[account.name] = (await post("/accounts", { ...account, opened_on: opened })).id;
  }
  for (const monthsAgo of SEED_MONTHS_AGO) {
    for (const entry of seedEntries(monthsAgo)) {
      await post("/transactions", {
        account_id: ids[entry.account],
        posted_on: isoDay(monthsAgo, entry.day),
        payee: entry.payee,
        amount_minor: entry.amount,
        category_id: category(entry.category),
      });
    }
  }

  const month = isoDay(0, 1).slice(0, 7);
  for (const [name, assigned] of SEED_BUDGET) {
    const response = await request.put(`${base}/budgets/${month}/${category(name)}`, {
      headers,
      data: { assigned_minor: assigned },
    });
    expect(response.ok(), await response.text()).toBe(true);
  }
}
