import { expect, test } from "@playwright/test";

import { signIn, signUp } from "./helpers";

test("signing out another device from the profile ends that device's session", async ({
  page,
  browser,
}) => {
  const account = await signUp(page, { name: "Robin" });
  const otherDevice = await browser.newContext();
  const phone = await otherDevice.newPage();
  await signIn(phone, account.email);

  await page.goto(`/h/${account.householdId}/profile`);
  const devices = page.getByRole("list", { name: "Sessions" });
  await expect(devices.getByRole("listitem")).toHaveCount(2);
  await expect(devices.getByText("(this device)")).toHaveCount(1);
  await devices.getByRole("button", { name: /^Sign out / }).click();
  await expect(devices.getByRole("listitem")).toHaveCount(1);

  // The phone's tokens stop working at once: its next page load asks to sign in again.
  await phone.reload();
  await phone.waitForURL(/\/login/);
  await otherDevice.close();
});
