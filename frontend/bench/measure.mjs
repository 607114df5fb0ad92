// Measures, in a real Chromium against the running production build:
//  - first-load JavaScript of each main page: every script the browser fetches for a cold load
//    (no cache) until the network is idle, compressed as transferred and uncompressed;
//  - time to interactive of the transactions page: navigation start → first transaction rows on
//    screen, and → the end of the last long task (>50 ms main-thread work) before a quiet second;
//  - every signed-in page, cold: navigation start → the page's own content on screen (its data,
//    not a spinner), at a desktop and a phone viewport.
// Run through bench/run.sh, which starts the servers with a large demo household.
import { chromium } from "@playwright/test";

const base = process.env.BENCH_BASE_URL;
const email = process.env.BENCH_EMAIL;
const password = process.env.BENCH_PASSWORD;
const householdId = process.env.BENCH_HOUSEHOLD_ID;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const pageRuns = Number(process.env.BENCH_PAGE_RUNS ?? 3);
// Only the time-to-content table (skips first-load JS and the transactions page's interactivity).
const pagesOnly = process.env.BENCH_PAGES_ONLY === "1";
if (!base || !email || !password || !householdId) throw new Error("run through bench/run.sh");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
  ],
});

/**
 * A browser context signed in through the login page, its HTTP cache then emptied so the next
 * navigation loads like a first visit. (Each context signs in itself: refresh tokens work once,
 * so contexts cannot share one saved session.)
 */
async function signedInContext(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  // Until the page has hydrated, "Sign in" would submit the form natively and reload the page.
  await page.goto(`${base}/login`, { waitUntil: "networkidle" });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: /sign in|log in/i }).click();
  // Generous: on a busy machine the password hashing alone can take seconds.
  await page.waitForURL(/\/h\/[^/]+\//, { timeout: 120_000 });
  await page.waitForLoadState("networkidle", { timeout: 120_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.clearBrowserCache");
  return { context, page };
}

async function anonymousContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return { context, page: await context.newPage() };
}

/**
 * The page's JavaScript on a first visit: "first load" is what its HTML references (what must
 * arrive before the page works, as Next.js counts it); "all" adds chunks loaded afterwards on
 * demand (the charts) until the network is idle.
 */
async function pageScripts(path, { signedIn = true } = {}) {
  const { context, page } = signedIn ? await signedInContext() : await anonymousContext();
  const scripts = new Map();
  page.on("requestfinished", async (request) => {
    if (request.resourceType() !== "script") return;
    const sizes = await request.sizes();
    const response = await request.response();
    const body = response ? await response.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    scripts.set(new URL(request.url()).pathname, {
      transferred: sizes.responseBodySize,
      raw: body.length,
    });
  });
  const response = await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
  const html = (await response?.text()) ?? "";
  await page.waitForTimeout(500);
  await context.close();
  const referenced = new Set(
    [...html.matchAll(/\/_next\/static\/[^"'\s]+?\.js/g)].map((match) => match[0]),
  );
  const sum = (entries, key) => entries.reduce((total, entry) => total + entry[key], 0) / 1024;
  const first = [...scripts].filter(([url]) => referenced.has(url)).map(([, sizes]) => sizes);
  const all = [...scripts.values()];
  return {
    firstFiles: first.length,
    firstGz: sum(first, "transferred"),
    firstRaw: sum(first, "raw"),
    allFiles: all.length,
    allGz: sum(all, "transferred"),
  };
}

async function transactionsColdLoad() {
  const { context, page } = await signedInContext();
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        window.__longTasks.push(entry.startTime + entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto(`${base}/h/${householdId}/transactions`);
  const table = page.getByRole("table", { name: "Transactions" });
  try {
    await table.getByRole("row").nth(5).waitFor({ state: "visible", timeout: 60_000 });
  } catch (error) {
    await page.screenshot({ path: process.env.BENCH_FAILURE_SCREENSHOT ?? "bench-failure.png" });
    throw error;
  }
  const rowsVisibleMs = await page.evaluate(() => performance.now());
  const rows = await table.getByRole("row").count();
  await page.waitForTimeout(1000);
  const lastLongTaskEnd = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  // Interaction check: typing in the search box answers within a frame or two.
  const search = page
    .getByRole("searchbox")
    .or(page.getByLabel(/search/i))
    .first();
  const inputDelayMs = await search.evaluate(async (element) => {
    const started = performance.now();
    element.focus();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - started;
  });
  await context.close();
  return {
    rowsVisibleMs,
    interactiveMs: Math.max(rowsVisibleMs, lastLongTaskEnd),
    renderedRows: rows,
    inputDelayMs,
  };
}

/**
 * What "the page's content is on screen" means, per page: a browser-side predicate over the DOM.
 * Each names the data the page exists for (rows, cards, list items) or, for pages whose data is
 * a short list that may be empty, "its heading is there and nothing in <main> is still loading".
 */
const CONTENT = {
  dashboard: `[...document.querySelectorAll("main h2")].some((h) => h.textContent.trim() === "Left to assign")`,
  transactions: `document.querySelectorAll('main [aria-label="Transactions"] [role="row"]').length >= 6`,
  budget: `!!document.querySelector('main table caption, main section[aria-labelledby^="budget-group-"], main [aria-label="Budget by category"] li')`,
  accounts: `!!document.querySelector('main table tbody tr, main li button[aria-label^="Edit "]')`,
  categories: `!!document.querySelector('main ul[aria-label^="Categories in "] li')`,
  members: `!!document.querySelector("main table tbody tr")`,
  profile: `!!document.querySelector('main input[autocomplete="name"]')?.value`,
};
const SETTLED = `!!document.querySelector("main h1") && !document.querySelector("main .animate-spin")`;

/**
 * Milliseconds from navigation start to `section`'s content visible, as a full page load with an
 * empty HTTP cache in a signed-in tab (the refresh cookie restores the session, as on a reload).
 */
async function contentVisibleMs({ page, cdp }, section) {
  await cdp.send("Network.clearBrowserCache");
  await page.goto(`${base}/h/${householdId}/${section}`, { waitUntil: "commit" });
  const predicate = CONTENT[section] ?? SETTLED;
  try {
    // Polled every animation frame, the predicate returns the time it first held.
    const handle = await page.waitForFunction(`(${predicate}) && performance.now()`, undefined, {
      polling: "raf",
      timeout: 60_000,
    });
    return await handle.jsonValue();
  } catch (error) {
    await page.screenshot({ path: process.env.BENCH_FAILURE_SCREENSHOT ?? "bench-failure.png" });
    throw error;
  }
}

const SECTIONS = [
  ["Dashboard", "dashboard"],
  ["Transactions", "transactions"],
  ["Budget", "budget"],
  ["Accounts", "accounts"],
  ["Categories", "categories"],
  ["Bills", "bills"],
  ["Receipts", "receipts"],
  ["Rules", "rules"],
  ["Import", "import"],
  ["Exports", "exports"],
  ["Banks", "bank-connections"],
  ["Household", "members"],
  ["Profile", "profile"],
];
const VIEWPORTS = [
  ["desktop 1280×800", { width: 1280, height: 800 }],
  ["phone 390×844", { width: 390, height: 844 }],
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const pages = [
  ["Log in (signed out)", "/login"],
  ["Dashboard", `/h/${householdId}/dashboard`],
  ["Transactions", `/h/${householdId}/transactions`],
  ["Budget", `/h/${householdId}/budget`],
  ["Accounts", `/h/${householdId}/accounts`],
  ["Categories", `/h/${householdId}/categories`],
  ["Household", `/h/${householdId}/members`],
];
if (!pagesOnly) {
  console.log(
    "\n| Page | First-load JS (gzip, as transferred) | First-load JS (uncompressed) | Files | All JS once idle, incl. on-demand chunks (gzip) |",
  );
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, path] of pages) {
    const r = await pageScripts(path, { signedIn: path !== "/login" });
    const all = `${r.allGz.toFixed(1)} KiB (${r.allFiles} files)`;
    const first = `${r.firstGz.toFixed(1)} KiB | ${r.firstRaw.toFixed(1)} KiB | ${r.firstFiles}`;
    console.log(`| ${name} | ${first} | ${all} |`);
  }

  const loads = [];
  for (let run = 0; run < runs; run++) loads.push(await transactionsColdLoad());
  console.log(`\nTransactions page, cold load, ${runs} runs (median; all runs in ms):`);
  /** "412 ms  [398, 412, 530]": the median of one measurement over the runs, then every run. */
  const msAcrossRuns = (key) => {
    const each = loads.map((l) => l[key].toFixed(0)).join(", ");
    return `${median(loads.map((l) => l[key])).toFixed(0)} ms  [${each}]`;
  };
  console.log(`- first rows visible: ${msAcrossRuns("rowsVisibleMs")}`);
  console.log(
    `- time to interactive (rows visible and main thread quiet): ${msAcrossRuns("interactiveMs")}`,
  );
  console.log(`- rendered rows in the DOM (virtualized): ${loads[0].renderedRows}`);
  const inputDelayMs = median(loads.map((l) => l.inputDelayMs)).toFixed(1);
  console.log(`- focus-to-next-frame on the search box: ${inputDelayMs} ms`);
}

console.log(
  `\nEvery page, cold load: navigation start → its content visible, ${pageRuns} runs (median; all runs in ms):`,
);
console.log(`\n| Page | ${VIEWPORTS.map(([name]) => name).join(" | ")} |`);
console.log(`|---|${VIEWPORTS.map(() => "---:").join("|")}|`);
// One signed-in tab per viewport, reloaded page after page: each load is a first visit as far as
// the HTTP cache goes, and the one sign-in keeps the slow password hashing out of the way.
const tabs = [];
for (const [, viewport] of VIEWPORTS) {
  const { context, page } = await signedInContext({ viewport });
  tabs.push({ context, page, cdp: await context.newCDPSession(page) });
}
for (const [name, section] of SECTIONS) {
  const cells = [];
  for (const tab of tabs) {
    const times = [];
    for (let run = 0; run < pageRuns; run++) times.push(await contentVisibleMs(tab, section));
    cells.push(`${median(times).toFixed(0)} ms [${times.map((t) => t.toFixed(0)).join(", ")}]`);
  }
  console.log(`| ${name} | ${cells.join(" | ")} |`);
}
for (const tab of tabs) await tab.context.close();
await browser.close();
