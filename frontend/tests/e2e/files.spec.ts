import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { signUp, typed } from "./helpers";

/** Tesseract reads the receipt photo; CI installs it (.ci/run). */
function tesseractInstalled(): boolean {
  try {
    execFileSync("tesseract", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The 15th of last month (UTC), as the API writes dates and as a US till prints them. */
function lastMonthDay(): { iso: string; printed: string } {
  const now = new Date();
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
  const [year, month] = [day.getUTCFullYear(), String(day.getUTCMonth() + 1).padStart(2, "0")];
  return { iso: `${year}-${month}-15`, printed: `${month}/15/${year}` };
}

/** A receipt photo drawn in the page's own canvas: black text on white, as a PNG. */
async function receiptPhoto(page: Page, lines: string[]): Promise<Buffer> {
  const base64 = await page.evaluate((text) => {
    const canvas = document.createElement("canvas");
    canvas.width = 800;
    canvas.height = 80 + text.length * 52;
    const context = canvas.getContext("2d");
    if (!context) throw new Error("no 2d canvas");
    context.fillStyle = "white";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = "black";
    context.font = "36px sans-serif";
    text.forEach((line, index) => context.fillText(line, 40, 70 + index * 52));
    return canvas.toDataURL("image/png").split(",")[1] ?? "";
  }, lines);
  return Buffer.from(base64, "base64");
}

async function open(page: Page, section: string): Promise<void> {
  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: section, exact: true })
    .click();
}

async function download(page: Page, link: RegExp): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: link }).click(),
  ]);
  const path = await file.path();
  return readFileSync(path);
}

test("a receipt photo is matched, and last month downloads as CSV and PDF", async ({ page }) => {
  test.skip(!tesseractInstalled(), "tesseract-ocr is not installed (CI installs it)");
  test.setTimeout(120_000);
  const day = lastMonthDay();
  await signUp(page, { name: "Riley", householdName: "The Rileys" });

  await open(page, "Accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const accountDialog = page.getByRole("dialog", { name: "New account" });
  await accountDialog.getByLabel("Name").fill("Everyday checking");
  await accountDialog.getByLabel("Opened on").fill("2020-01-01");
  await accountDialog.getByRole("button", { name: "Create account" }).click();
  await expect(accountDialog).toHaveCount(0);

  await open(page, "Transactions");
  await page.getByRole("button", { name: "Add transaction" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add transaction" });
  await dialog.getByLabel("Account").selectOption({ label: "Everyday checking" });
  await dialog.getByLabel("Date").fill(day.iso);
  await dialog.getByLabel("Payee").fill("Corner Grocery");
  await dialog.getByLabel("Amount", { exact: true }).fill(typed(647));
  await dialog.getByLabel("Category").selectOption({ label: "Groceries" });
  await dialog.getByRole("button", { name: "Add transaction" }).click();
  await expect(dialog).toHaveCount(0);

  // Photograph (here: pick) the receipt; the worker reads it and the match is offered.
  await open(page, "Receipts");
  const photo = await receiptPhoto(page, [
    "CORNER GROCERY",
    "12 Market Street",
    `Date: ${day.printed}`,
    "Milk 3.49",
    "Bread 2.50",
    "SUBTOTAL 5.99",
    "TAX 0.48",
    "TOTAL 6.47",
  ]);
  await page
    .getByLabel("Add a receipt")
    .setInputFiles({ name: "receipt.png", mimeType: "image/png", buffer: photo });
  const inbox = page.getByRole("list", { name: "Receipts to match" });
  await expect(inbox.getByText("Matches Corner Grocery")).toBeVisible({ timeout: 30_000 });
  await expect(inbox.getByRole("img", { name: "Receipt from CORNER GROCERY" })).toBeVisible();
  await inbox.getByRole("button", { name: "Attach to Corner Grocery" }).click();
  await expect(page.getByText("No receipts waiting")).toBeVisible();

  // Last month as a CSV, then as a PDF statement.
  await open(page, "Exports");
  await page.getByRole("button", { name: "Export" }).click();
  const csvLink = /^Download transactions-.*\.csv$/;
  await expect(page.getByRole("link", { name: csvLink })).toBeVisible({ timeout: 30_000 });
  const csv = (await download(page, csvLink)).toString("utf8");
  expect(csv.startsWith("\ufeff")).toBe(true);
  expect(csv).toContain(
    `${day.iso},Everyday checking,Corner Grocery,Everyday,Groceries,,,-6.47,USD`,
  );

  await page.getByLabel("What").selectOption({ label: "Monthly statement (PDF)" });
  await page.getByRole("button", { name: "Export" }).click();
  const pdfLink = /^Download statement-.*\.pdf$/;
  await expect(page.getByRole("link", { name: pdfLink })).toBeVisible({ timeout: 30_000 });
  const pdf = await download(page, pdfLink);
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
});
