import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

import { defineConfig, devices } from "@playwright/test";

/*
 * End-to-end tests run against a real backend (fresh SQLite data directory) and the production
 * build of the web app (`npm run build`, or `NEXT_DIST_DIR=… npm run build` for a separate build).
 *
 * Playwright evaluates this file in the runner and again in every worker; the ports and the data
 * directory are chosen once, in the runner, and handed to the workers through the environment.
 */

const frontendDir = import.meta.dirname;
const backendCli = path.resolve(frontendDir, "../backend/.venv/bin/family-budget");
const distDir = process.env.NEXT_DIST_DIR ?? ".next";
const standaloneDir = path.join(frontendDir, distDir, "standalone");
const serverScript = path.join(standaloneDir, "server.js");

function freePorts(count: number): number[] {
  // A synchronous child because the config cannot await; the OS picks ports nobody listens on.
  const script = `
    const net = require("node:net");
    const servers = Array.from({ length: ${count} }, () => net.createServer());
    const listen = (s) => new Promise((ok) => s.listen(0, "127.0.0.1", () => ok(s.address().port)));
    Promise.all(servers.map(listen))
      .then((ports) => { console.log(ports.join(",")); servers.forEach((s) => s.close()); });`;
  return execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })
    .trim()
    .split(",")
    .map(Number);
}

if (!process.env.E2E_WEB_PORT) {
  if (!existsSync(serverScript)) {
    throw new Error(
      `No production build at ${path.relative(frontendDir, serverScript)}: run \`npm run build\` first (with the same NEXT_DIST_DIR, if you set one).`,
    );
  }
  if (!existsSync(backendCli)) {
    throw new Error(
      `The backend is not installed (${backendCli} is missing): run \`make install\` (or the backend install step) first.`,
    );
  }
  // `next build` leaves static files and public/ beside the standalone server, which needs them
  // inside (scripts/copy-standalone-assets.mjs does the same; copying again is cheap and makes a
  // plain `next build` enough).
  cpSync(path.join(frontendDir, distDir, "static"), path.join(standaloneDir, distDir, "static"), {
    recursive: true,
  });
  if (existsSync(path.join(frontendDir, "public")))
    cpSync(path.join(frontendDir, "public"), path.join(standaloneDir, "public"), {
      recursive: true,
    });
  const [apiPort, webPort, workerPort] = freePorts(3);
  // Each run gets its own data directory; those of runs over a day old are removed (a failed
  // run's database and outbox stay around a while for a look).
  const runsDir = path.join(frontendDir, ".e2e");
  mkdirSync(runsDir, { recursive: true });
  for (const entry of readdirSync(runsDir)) {
    const old = path.join(runsDir, entry);
    if (Date.now() - statSync(old).mtimeMs > 24 * 3600 * 1000)
      rmSync(old, { recursive: true, force: true });
  }
  process.env.E2E_API_PORT = String(apiPort);
  process.env.E2E_WEB_PORT = String(webPort);
  process.env.E2E_WORKER_PORT = String(workerPort);
  // Tests read verification, reset and invitation links from $E2E_DATA_DIR/outbox/.
  process.env.E2E_DATA_DIR = mkdtempSync(path.join(runsDir, "data-"));
}

const apiUrl = `http://127.0.0.1:${process.env.E2E_API_PORT}`;
// localhost, not 127.0.0.1: the session cookies are Secure, which Chromium accepts
// on localhost only.
const webUrl = `http://localhost:${process.env.E2E_WEB_PORT}`;

const backendEnv = {
  ENVIRONMENT: "development",
  DATA_DIR: process.env.E2E_DATA_DIR ?? "",
  PUBLIC_APP_URL: webUrl,
  REGISTER_RATE_PER_ADDRESS: "1000/hour",
  LOGIN_RATE_PER_ADDRESS: "1000/minute",
  LOGIN_RATE_PER_ACCOUNT: "1000/minute",
  FORGOT_PASSWORD_RATE_PER_ACCOUNT: "1000/hour",
  FORGOT_PASSWORD_RATE_PER_ADDRESS: "1000/hour",
  LOG_LEVEL: "WARNING",
};

const chromium = {
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
};

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results",
  // One browser at a time: the machine has two cores for the backend, the web server and the
  // browser, and the embedded SQLite backend refuses some concurrent writes ("database is locked").
  workers: Number(process.env.E2E_WORKERS ?? 1),
  retries: process.env.CI ? 1 : 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: webUrl,
    locale: "en-US",
    timezoneId: "UTC",
    colorScheme: "light",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromium,
  },
  projects: [
    {
      name: "desktop",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1280, height: 800 },
        launchOptions: chromium,
      },
    },
    {
      name: "phone",
      testMatch: ["screenshots.spec.ts"],
      use: {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 1,
        isMobile: true,
        hasTouch: true,
        launchOptions: chromium,
      },
    },
  ],
  webServer: [
    {
      command: `"${backendCli}" migrate && exec "${backendCli}" serve --port ${process.env.E2E_API_PORT}`,
      url: `${apiUrl}/health`,
      env: backendEnv,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // Receipts are read and exports made by the worker (its queue is a folder of DATA_DIR);
      // its /metrics port tells Playwright it is up.
      command: `exec "${backendCli}" worker --concurrency 1`,
      url: `http://127.0.0.1:${process.env.E2E_WORKER_PORT}/metrics`,
      env: { ...backendEnv, WORKER_METRICS_PORT: String(process.env.E2E_WORKER_PORT) },
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: `exec node "${serverScript}"`,
      url: `http://127.0.0.1:${process.env.E2E_WEB_PORT}/api/health`,
      env: {
        PORT: String(process.env.E2E_WEB_PORT),
        HOSTNAME: "127.0.0.1",
        NEXT_PUBLIC_API_URL: apiUrl,
        NODE_ENV: "production",
      },
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
