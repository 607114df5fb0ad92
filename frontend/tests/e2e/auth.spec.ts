import { expect, test } from "@playwright/test";

import { PASSWORD, readOutboxLink, signUp } from "./helpers";

test.describe("signing in and out", () => {
  test("the session survives a reload, the refresh token stays out of the page's reach, and sign out ends it", async ({
    page,
    context,
  }) => {
    const { email } = await signUp(page, { name: "Robin" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);

    const loginAnswer = page.waitForResponse(
      (response) => new URL(response.url()).pathname === "/api/v1/auth/login",
    );
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const answer = await loginAnswer;
    expect(answer.status()).toBe(200);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toHaveProperty("access_token");
    expect(body).not.toHaveProperty("refresh_token");
    await page.waitForURL(/\/h\/[^/]+\/dashboard/);

    // The refresh cookie exists, but only the browser can send it: script cannot read it.
    const cookies = await context.cookies();
    const refresh = cookies.find((cookie) => cookie.name === "fb_refresh");
    expect(refresh?.httpOnly).toBe(true);
    expect(await page.evaluate(() => document.cookie)).not.toContain("fb_refresh");

    await page.reload();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect(page).toHaveURL(/\/h\/[^/]+\/dashboard/);
    expect(await page.evaluate(() => document.cookie)).not.toContain("fb_refresh");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.reload();
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    expect(
      (await context.cookies()).find((cookie) => cookie.name === "fb_refresh"),
    ).toBeUndefined();
    // A household page now sends the person to sign in.
    await page.goto("/");
    await page.waitForURL("**/login**");
  });

  test("a wrong password is refused with a message and the email stays typed", async ({ page }) => {
    const { email } = await signUp(page, { name: "Sam" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the right password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(
      page.getByRole("alert").filter({ hasText: "The email or password is incorrect" }),
    ).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(email);
    await expect(page).toHaveURL(/\/login/);
  });

  test("forgot password: the emailed link sets a new password that then signs in", async ({
    page,
  }) => {
    const { email } = await signUp(page, { name: "Alex" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);

    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

    const newPassword = "a brand new passphrase 2026";
    await page.goto(await readOutboxLink(email, "reset"));
    await page.getByLabel("New password").fill(newPassword);
    await page.getByLabel("Repeat password").fill(newPassword);
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.waitForURL("**/login**");
    await expect(page.getByText("Your password has been changed")).toBeVisible();

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(
      page.getByRole("alert").filter({ hasText: "The email or password is incorrect" }),
    ).toBeVisible();

    await page.getByLabel("Password").fill(newPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/h\/[^/]+\/dashboard/);
  });
});
