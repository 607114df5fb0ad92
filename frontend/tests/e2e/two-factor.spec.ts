import { createHmac } from "node:crypto";

import { expect, test } from "@playwright/test";

import { PASSWORD, signUp } from "./helpers";

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), written here from the RFC so the test does not trust
 * the server's own code generation. `stepOffset` picks a neighbouring time step. */
function totp(base32Secret: string, stepOffset = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of base32Secret.replace(/=+$/, "").toUpperCase())
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + stepOffset));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

test("turning on two-step sign-in, then signing in with a code", async ({ page, browser }) => {
  const account = await signUp(page, { name: "Morgan" });
  await page.goto(`/h/${account.householdId}/profile`);
  const card = page.locator("section", {
    has: page.getByRole("heading", { name: "Two-step sign-in" }),
  });
  await card.getByLabel("Current password (to turn it on)").fill(PASSWORD);
  await card.getByRole("button", { name: "Set up two-step sign-in" }).click();
  await expect(card.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await card.locator("code").textContent())?.trim() ?? "";
  await card.getByLabel("Code from the app").fill(totp(secret));
  await card.getByRole("button", { name: "Turn on" }).click();
  await expect(
    card.getByRole("list", { name: "Recovery codes" }).getByRole("listitem"),
  ).toHaveCount(10);
  await card.getByRole("button", { name: "I saved them" }).click();
  await expect(card.getByText("On. 10 recovery codes left.")).toBeVisible();

  // Another browser: the password alone is not enough.
  const otherBrowser = await browser.newContext();
  const other = await otherBrowser.newPage();
  await other.goto("/login");
  await other.getByLabel("Email").fill(account.email);
  await other.getByLabel("Password").fill(PASSWORD);
  await other.getByRole("button", { name: "Sign in" }).click();
  const codeField = other.getByLabel("Authentication code");
  await expect(codeField).toBeFocused();
  // The code of the next time step: the one used to turn it on cannot be used twice.
  await codeField.fill(totp(secret, 1));
  await other.getByRole("button", { name: "Verify and sign in" }).click();
  await other.waitForURL(/\/h\/[^/]+\//);
  await otherBrowser.close();
});
