import { existsSync } from "node:fs";
import path from "node:path";

import { expect, test, type Page } from "@playwright/test";

import { exactUsd, signUp, usd } from "./helpers";

/** The shared real bank exports beside the repository, read in place (never copied in). */
const BANK_EXPORTS = path.resolve(import.meta.dirname, "../../../../shared/fixtures/bank-exports");
const CSV = path.join(BANK_EXPORTS, "csv2ofx/schwab-checking.csv"); // 4 rows
const OFX = path.join(BANK_EXPORTS, "ofxparse/checking.ofx"); // 3 rows, with bank ids

async function preview(page: Page, file: string): Promise<void> {
  await page.getByLabel("Bank file").setInputFiles(file);
  await page.getByLabel("Into account").selectOption({ label: "Everyday checking (USD)" });
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByText(`Preview of ${path.basename(file)}`)).toBeVisible();
}

test("a CSV and an OFX file are imported, duplicates are skipped, one import is undone", async ({
  page,
}) => {
  test.skip(
    !existsSync(BANK_EXPORTS) && process.env.CI !== "true",
    "the shared bank exports are not beside the repository",
  );
  await signUp(page, { name: "Ivy Importer" });
  const nav = page.getByRole("navigation", { name: "Sections" });
  await nav.getByRole("link", { name: "Accounts", exact: true }).click();
  await page.getByRole("button", { name: "New account" }).click();
  const accountDialog = page.getByRole("dialog", { name: "New account" });
  await accountDialog.getByLabel("Name").fill("Everyday checking");
  await accountDialog.getByLabel("Opened on").fill("2010-01-01");
  await accountDialog.getByRole("button", { name: "Create account" }).click();
  await expect(accountDialog).toHaveCount(0);

  await nav.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Import", level: 1 })).toBeVisible();

  // The CSV: four new rows, with the detected mapping shown for correction.
  await preview(page, CSV);
  await expect(page.getByText("4 rows · 4 new · 0 duplicates · 0 errors")).toBeVisible();
  await expect(page.getByRole("form", { name: "CSV mapping" })).toBeVisible();
  const rows = page.getByRole("table", { name: "Preview rows" });
  await expect(rows.getByRole("row")).toHaveCount(5);
  const bmo = rows.getByRole("row").filter({ hasText: "Bmo Harris Bank" });
  await expect(bmo).toContainText(usd(-10300));
  // Fixing the mapping re-reads the file: a card export's signs, flipped and back.
  const mapping = page.getByRole("form", { name: "CSV mapping" });
  await mapping.getByLabel("Money out is positive").check();
  await mapping.getByRole("button", { name: "Re-read the file" }).click();
  await expect(bmo).toContainText(exactUsd(10300));
  await mapping.getByLabel("Money out is positive").uncheck();
  await mapping.getByRole("button", { name: "Re-read the file" }).click();
  await expect(bmo).toContainText(usd(-10300));
  await page.getByRole("button", { name: "Import 4 transactions" }).click();
  await expect(page.getByText("Imported 4 transactions.")).toBeVisible();
  await page.getByRole("button", { name: "Close" }).click();

  // The OFX file: three rows; one left out before committing.
  await preview(page, OFX);
  await expect(page.getByText("3 rows · 3 new · 0 duplicates · 0 errors")).toBeVisible();
  await page.getByLabel("Import line 1").uncheck();
  await expect(page.getByRole("button", { name: "Import 2 transactions" })).toBeVisible();
  await page.getByRole("button", { name: "Import 2 transactions" }).click();
  await expect(page.getByText("Imported 2 transactions.")).toBeVisible();
  await page.getByRole("button", { name: "Close" }).click();

  // The same OFX again: the two imported rows are duplicates by their bank ids.
  await preview(page, OFX);
  await expect(page.getByText("3 rows · 1 new · 2 duplicates · 0 errors")).toBeVisible();
  await expect(rows.getByText(/^Duplicate of .+ on /)).toHaveCount(2);
  await expect(
    rows.getByText("Duplicate of Automatic Withdrawal, Electric Bill on Apr 5, 2011"),
  ).toBeVisible();
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByText(/Preview of/)).toHaveCount(0);

  // Undo the CSV import from the history: its four transactions go.
  const history = page.getByRole("list", { name: "Imports" });
  await expect(history.getByRole("listitem")).toHaveCount(2);
  await history.getByRole("button", { name: "Undo import of schwab-checking.csv" }).click();
  await expect(page.getByText("Removed 4 transactions.")).toBeVisible();
  await expect(history.getByRole("listitem").filter({ hasText: "Undone" })).toHaveCount(1);

  // What is left on the account: the two OFX rows (-34.51 and -25.00), none of the CSV's.
  await nav.getByRole("link", { name: "Accounts", exact: true }).click();
  await expect(page.getByRole("row").filter({ hasText: "Everyday checking" })).toContainText(
    usd(-5951),
  );
});
