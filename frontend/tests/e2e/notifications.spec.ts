import { expect, test } from "@playwright/test";

import { openSection, PASSWORD, signUp } from "./helpers";

const NEW_PASSWORD = "a brand new passphrase for 2027";

test.describe("notifications", () => {
  test("a password change raises a security alert that shows in the bell and can be read", async ({
    page,
  }) => {
    await signUp(page, { name: "Casey" });
    const bell = page.getByRole("button", { name: /^Notifications/ });
    await expect(bell).toHaveAccessibleName("Notifications");

    await openSection(page, "Profile");
    const passwordCard = page
      .getByRole("region", { name: "Password" })
      .or(page.locator("section", { has: page.getByRole("heading", { name: "Password" }) }));
    await passwordCard.getByLabel("Current password").fill(PASSWORD);
    await passwordCard.getByLabel("New password").fill(NEW_PASSWORD);
    await passwordCard.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Password changed. Other devices were signed out.")).toBeVisible();

    // The worker delivers the alert after the change is committed; the bell shows it once a
    // fresh page asks (it also polls every minute).
    await expect(async () => {
      await page.reload();
      await expect(bell).toHaveAccessibleName("Notifications, 1 unread", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });

    await bell.click();
    const panel = page.getByRole("region", { name: "Notifications" });
    await expect(panel.getByText("Unread: Security alert")).toBeVisible();
    await expect(panel.getByText(/^Your password was changed \(/)).toBeVisible();
    await panel.getByRole("button", { name: 'Mark "Security alert" read' }).click();
    await expect(bell).toHaveAccessibleName("Notifications");
    await page.keyboard.press("Escape");
    await expect(panel).toHaveCount(0);
    await expect(bell).toBeFocused();
  });

  test("notification preferences persist", async ({ page }) => {
    await signUp(page, { name: "Devon" });
    await openSection(page, "Profile");
    const billEmail = page.getByRole("checkbox", { name: "Email: Bill reminders" });
    const budgetPush = page.getByRole("checkbox", { name: "Push: Budget alerts" });
    const securityEmail = page.getByRole("checkbox", { name: "Email: Security alerts" });
    await expect(billEmail).toBeChecked();
    // Security alerts are always emailed: that switch cannot be turned off.
    await expect(securityEmail).toBeChecked();
    await expect(securityEmail).toBeDisabled();

    await billEmail.uncheck();
    await budgetPush.uncheck();
    await page.getByRole("button", { name: "Save notification settings" }).click();
    await expect(page.getByText("Notification settings saved.")).toBeVisible();

    await page.reload();
    await expect(billEmail).not.toBeChecked();
    await expect(budgetPush).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: "In the app: Bill reminders" })).toBeChecked();
  });

  test("browser push: the opt-in asks for permission and subscribes as far as the browser allows", async ({
    page,
    context,
  }) => {
    await context.grantPermissions(["notifications"]);
    await signUp(page, { name: "Emery" });
    await openSection(page, "Profile");
    const card = page.locator("section", {
      has: page.getByRole("heading", { name: "Browser notifications" }),
    });
    const registered = page
      .waitForResponse(
        (response) =>
          new URL(response.url()).pathname === "/api/v1/me/devices" &&
          response.request().method() === "POST",
        { timeout: 15_000 },
      )
      // Absent when the browser refuses to subscribe: nothing is registered then.
      .catch(() => null);
    await card.getByRole("button", { name: "Turn on browser notifications" }).click();
    // The service worker registers in any Chromium; whether PushManager.subscribe succeeds
    // depends on the build reaching a push service, which this machine's network does not
    // allow. Either outcome must be reported to the person, never left spinning.
    const outcome = await Promise.race([
      card
        .getByText("This browser receives push notifications.")
        .waitFor()
        .then(() => "subscribed" as const),
      card
        .getByRole("alert")
        .waitFor()
        .then(() => "refused" as const),
    ]);
    const workers = await page.evaluate(async () =>
      (await navigator.serviceWorker.getRegistrations()).map((r) => r.active?.scriptURL ?? ""),
    );
    expect(workers.some((url) => url.endsWith("/push-sw.js"))).toBe(true);
    if (outcome === "subscribed") {
      expect((await registered)?.status()).toBe(201);
      await card.getByRole("button", { name: "Turn off browser notifications" }).click();
      await expect(
        card.getByRole("button", { name: "Turn on browser notifications" }),
      ).toBeVisible();
    } else {
      test.info().annotations.push({
        type: "push",
        description: "PushManager.subscribe was refused by this Chromium (no push service)",
      });
    }
  });
});
