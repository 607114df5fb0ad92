import { expect, test, type Browser, type Page } from "@playwright/test";

import { apiLogin, openSection, readOutboxLink, signUp, typed, uniqueEmail, usd } from "./helpers";

async function invite(page: Page, email: string, role: "Adult" | "Teen") {
  const form = page.getByRole("form", { name: "Invite someone" });
  await form.getByLabel("Email to invite").fill(email);
  await form.getByLabel("Role").selectOption({ label: role });
  await form.getByRole("button", { name: "Send invitation" }).click();
  await expect(form.getByText(`Invitation sent to ${email}`)).toBeVisible();
}

/** In a browser of their own, the invited person opens the emailed link, signs up and joins. */
async function acceptAsNewUser(
  browser: Browser,
  { name, email, householdId }: { name: string; email: string; householdId: string },
): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const link = await readOutboxLink(email, "invitation");
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "You are invited" })).toBeVisible();
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL("**/signup?next=**");
  await signUp(page, { name, email, next: link });
  await page.waitForURL(`**/h/${householdId}/dashboard`);
  return page;
}

test("an owner invites an adult and a teen; each sees what their role allows", async ({
  page: owner,
  browser,
  request,
}) => {
  const { householdId } = await signUp(owner, {
    name: "Olivia Owner",
    householdName: "Owner family",
  });
  if (!householdId) throw new Error("no household after sign up");
  const adultEmail = uniqueEmail("adam-adult");
  const teenEmail = uniqueEmail("tess-teen");

  await openSection(owner, "Household");
  await invite(owner, adultEmail, "Adult");
  await invite(owner, teenEmail, "Teen");

  const adult = await acceptAsNewUser(browser, {
    name: "Adam Adult",
    email: adultEmail,
    householdId,
  });
  const teen = await acceptAsNewUser(browser, { name: "Tess Teen", email: teenEmail, householdId });

  // The adult plans the budget.
  await openSection(adult, "Budget");
  await adult.getByRole("button", { name: /^Assigned to Groceries:/ }).click();
  const input = adult.getByLabel("Assigned to Groceries", { exact: true });
  await input.fill(typed(12_500));
  await input.press("Enter");
  await expect(
    adult.getByRole("button", { name: `Assigned to Groceries: ${usd(12_500)}` }),
  ).toBeVisible();
  await expect(adult.getByRole("button", { name: "Copy last month" })).toBeVisible();

  // The teen follows it read-only.
  await openSection(teen, "Budget");
  // The teen's budget was cached before the adult's change (the dashboard loaded it): reload.
  await teen.reload();
  const teenGroceries = teen.getByRole("row").filter({ hasText: "Groceries" }).first();
  await expect(teenGroceries).toContainText(usd(12_500));
  await expect(teen.getByRole("button", { name: /^Assigned to / })).toHaveCount(0);
  await expect(teen.getByRole("textbox")).toHaveCount(0);
  await expect(teen.getByRole("button", { name: "Copy last month" })).toHaveCount(0);

  // No owner controls for the teen on the Household page.
  await openSection(teen, "Household");
  await expect(teen.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(teen.getByText("Adam Adult")).toBeVisible();
  await expect(teen.getByRole("button", { name: "Leave household" })).toBeVisible();
  await expect(teen.getByRole("form", { name: "Invite someone" })).toHaveCount(0);
  await expect(teen.getByRole("button", { name: "Delete household" })).toHaveCount(0);
  await expect(teen.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await expect(teen.getByRole("combobox", { name: /^Role of / })).toHaveCount(0);
  await expect(teen.getByLabel("Household name")).toHaveCount(0);

  // Hiding the controls is not the protection: the API itself refuses the teen.
  const token = await apiLogin(request, teenEmail);
  const month = new Date().toISOString().slice(0, 7);
  const headers = { Authorization: `Bearer ${token}` };
  const budget = await request.get(`/api/v1/households/${householdId}/budgets/${month}`, {
    headers,
  });
  expect(budget.status()).toBe(200);
  const groups = (
    (await budget.json()) as { groups: { categories: { category_id: string; name: string }[] }[] }
  ).groups;
  const groceries = groups
    .flatMap((group) => group.categories)
    .find((line) => line.name === "Groceries");
  expect(groceries).toBeDefined();
  const refused = await request.put(
    `/api/v1/households/${householdId}/budgets/${month}/${groceries?.category_id}`,
    { headers, data: { assigned_minor: 99_900 } },
  );
  expect(refused.status()).toBe(403);
  const invited = await request.post(`/api/v1/households/${householdId}/invitations`, {
    headers,
    data: { email: uniqueEmail("sneaky"), role: "adult" },
  });
  expect(invited.status()).toBe(403);

  // The owner makes the adult a teen; after a reload the adult's budget is read-only too.
  await owner.reload();
  const adultRole = owner.getByRole("combobox", { name: "Role of Adam Adult" });
  await adultRole.selectOption("teen");
  await expect(adultRole).toHaveValue("teen");
  await expect(adultRole).toBeEnabled();

  await adult.reload();
  await expect(adult.getByText(`${usd(12_500)}`).first()).toBeVisible();
  await expect(adult.getByRole("button", { name: /^Assigned to / })).toHaveCount(0);
  await expect(adult.getByRole("button", { name: "Copy last month" })).toHaveCount(0);
  await openSection(adult, "Household");
  await expect(adult.getByText("your role: Teen")).toBeVisible();

  await adult.context().close();
  await teen.context().close();
});
