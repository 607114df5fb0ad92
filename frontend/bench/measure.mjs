// Measures, in a real Chromium against the running production build:
//  - first-load JavaScript of each main page: every script the browser fetches for a cold load
//    (no cache) until the network is idle, compressed as transferred and uncompressed;
//  - time to interactive of the transactions page: navigation start → first transaction rows on
//    screen, and → the end of the last long task (>50 ms main-thread work) before a quiet second.
// Run through bench/run.sh, which starts the servers with a large demo household.
import { chromium } from "@playwright/test";

const base = process.env.BENCH_BASE_URL;
const email = process.env.BENCH_EMAIL;
const password = process.env.BENCH_PASSWORD;
const householdId = process.env.BENCH_HOUSEHOLD_ID;
const runs = Number(process.env.BENCH_RUNS ?? 5);
if (!base || !email || !password || !householdId) throw new Error("run through bench/run.sh");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});

async function signedInState() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: /sign in|log in/i }).click();
  await page.waitForURL(/\/h\/[^/]+\//);
  const state = await context.storageState();
  await context.close();
  return state;
}

async function firstLoadScripts(state, path) {
  const context = await browser.newContext({ storageState: state, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const scripts = [];
  page.on("requestfinished", async (request) => {
    if (request.resourceType() !== "script") return;
    const sizes = await request.sizes();
    const response = await request.response();
    const body = response ? await response.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    scripts.push({ transferred: sizes.responseBodySize, raw: body.length });
  });
  await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
  await page.waitForTimeout(500);
  await context.close();
  return {
    files: scripts.length,
    transferredKb: scripts.reduce((sum, s) => sum + s.transferred, 0) / 1024,
    rawKb: scripts.reduce((sum, s) => sum + s.raw, 0) / 1024,
  };
}

async function transactionsColdLoad(state) {
  const context = await browser.newContext({ storageState: state, viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.startTime + entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const page = await context.newPage();
  await page.goto(`${base}/h/${householdId}/transactions`);
  const table = page.getByRole("table", { name: "Transactions" });
  await table.getByRole("row").nth(5).waitFor({ state: "visible", timeout: 60_000 });
  const rowsVisibleMs = await page.evaluate(() => performance.now());
  const rows = await table.getByRole("row").count();
  await page.waitForTimeout(1000);
  const lastLongTaskEnd = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  // Interaction check: typing in the search box answers within a frame or two.
  const search = page.getByRole("searchbox").or(page.getByLabel(/search/i)).first();
  const inputDelayMs = await search.evaluate(async (element) => {
    const started = performance.now();
    element.focus();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - started;
  });
  await context.close();
  return { rowsVisibleMs, interactiveMs: Math.max(rowsVisibleMs, lastLongTaskEnd), renderedRows: rows, inputDelayMs };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const state = await signedInState();
const pages = [
  ["Log in", "/login"],
  ["Dashboard", `/h/${householdId}/dashboard`],
  ["Transactions", `/h/${householdId}/transactions`],
  ["Budget", `/h/${householdId}/budget`],
  ["Accounts", `/h/${householdId}/accounts`],
  ["Categories", `/h/${householdId}/categories`],
  ["Household", `/h/${householdId}/members`],
];
console.log("\n| Page | JS files | First-load JS transferred (gzip) | Uncompressed |");
console.log("|---|---:|---:|---:|");
for (const [name, path] of pages) {
  const result = await firstLoadScripts(state, path);
  console.log(`| ${name} | ${result.files} | ${result.transferredKb.toFixed(1)} KiB | ${result.rawKb.toFixed(1)} KiB |`);
}

const loads = [];
for (let run = 0; run < runs; run++) loads.push(await transactionsColdLoad(state));
console.log(`\nTransactions page, cold load, ${runs} runs (median; all runs in ms):`);
console.log(`- first rows visible: ${median(loads.map((l) => l.rowsVisibleMs)).toFixed(0)} ms  [${loads.map((l) => l.rowsVisibleMs.toFixed(0)).join(", ")}]`);
console.log(`- time to interactive (rows visible and main thread quiet): ${median(loads.map((l) => l.interactiveMs)).toFixed(0)} ms  [${loads.map((l) => l.interactiveMs.toFixed(0)).join(", ")}]`);
console.log(`- rendered rows in the DOM (virtualized): ${loads[0].renderedRows}`);
console.log(`- focus-to-next-frame on the search box: ${median(loads.map((l) => l.inputDelayMs)).toFixed(1)} ms`);
await browser.close();
