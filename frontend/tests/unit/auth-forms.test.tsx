import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { CurrencyCode } from "@/features/auth/currencies";
import { ApiError } from "@/api/problem";
import { formErrorText, retryAfterText, serverFieldErrors } from "@/api/serverErrors";
import {
  validateLogin,
  validateNewPassword,
  validateSignup,
  type SignupValues,
} from "@/features/auth/validation";

// The network is the boundary: the real API client, problem parsing and session provider run,
// and only the browser's fetch is replaced by canned API answers.
const fetchMock = vi.fn<typeof fetch>();
vi.stubGlobal("fetch", fetchMock);
vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }) }));

const { SignupForm } = await import("@/features/auth/SignupForm");
const { SessionProvider } = await import("@/features/session/SessionProvider");

const valid: SignupValues = {
  name: "Ada",
  email: "ada@example.com",
  password: "a long enough passphrase",
  householdName: "",
  currency: "EUR",
};

describe("validateSignup", () => {
  it("accepts a complete form; the household name is optional", () => {
    expect(validateSignup(valid)).toEqual({});
  });

  it("requires name, email, password and currency", () => {
    const errors = validateSignup({
      name: "  ",
      email: "",
      password: "",
      householdName: "",
      // Typed out of reach; still checked, as a select could be left without a value.
      currency: "" as CurrencyCode,
    });
    expect(Object.keys(errors).sort()).toEqual(["currency", "email", "name", "password"]);
  });

  it.each([
    ["ada", false],
    ["ada@", false],
    ["ada@example", false],
    ["a da@example.com", false],
    ["@example.com", false],
    ["ada@example.com", true],
    ["  ada@example.com  ", true],
    ["ada+budget@mail.example.co.uk", true],
  ])("email %j valid: %s", (email, ok) => {
    expect(validateSignup({ ...valid, email }).email === undefined).toBe(ok);
  });

  it("bounds the password length like the backend (10 to 1000 characters)", () => {
    expect(validateSignup({ ...valid, password: "x".repeat(9) }).password).toMatch(/at least 10/);
    expect(validateSignup({ ...valid, password: "x".repeat(10) }).password).toBeUndefined();
    expect(validateSignup({ ...valid, password: "x".repeat(1000) }).password).toBeUndefined();
    expect(validateSignup({ ...valid, password: "x".repeat(1001) }).password).toMatch(
      /at most 1000/,
    );
  });

  it("takes the password as typed: surrounding spaces count and are not trimmed", () => {
    expect(validateSignup({ ...valid, password: "    abc    " }).password).toBeUndefined();
  });

  it("limits the name and the household name", () => {
    expect(validateSignup({ ...valid, name: "n".repeat(101) }).name).toBeDefined();
    expect(
      validateSignup({ ...valid, householdName: "h".repeat(201) }).household_name,
    ).toBeDefined();
  });
});

describe("other form checks", () => {
  it("login needs an email shape and a password", () => {
    expect(validateLogin({ email: "ada@example.com", password: "x" })).toEqual({});
    expect(Object.keys(validateLogin({ email: "ada", password: "" })).sort()).toEqual([
      "email",
      "password",
    ]);
  });

  it("a new password must be typed twice the same", () => {
    expect(
      validateNewPassword({
        password: "a long enough passphrase",
        confirmation: "a long enough passphrase",
      }),
    ).toEqual({});
    expect(
      validateNewPassword({
        password: "a long enough passphrase",
        confirmation: "a long enough passphrasE",
      }).confirmation,
    ).toBeDefined();
    expect(
      validateNewPassword({ password: "short", confirmation: "short" }).new_password,
    ).toBeDefined();
  });

  it("says how long to wait after too many attempts", () => {
    expect(retryAfterText(1)).toBe("Try again in 1 second.");
    expect(retryAfterText(45)).toBe("Try again in 45 seconds.");
    expect(retryAfterText(61)).toBe("Try again in 2 minutes.");
    expect(retryAfterText(null)).toMatch(/Wait a moment/);
  });

  it("puts coded refusals at their field and points to it from the top", () => {
    const taken = new ApiError(
      409,
      "email_taken",
      "An account with this email address already exists",
    );
    expect(serverFieldErrors(taken, { email_taken: "email" })).toEqual({
      email: "An account with this email address already exists",
    });
    expect(formErrorText(taken, { email_taken: "email" })).toBe(
      "Please correct the highlighted fields.",
    );
    expect(formErrorText(taken)).toBe("An account with this email address already exists");
    expect(formErrorText(new ApiError(429, "rate_limited", "Too many", {}, 120))).toBe(
      "Too many attempts. Try again in 2 minutes.",
    );
  });
});

function valueOf(element: HTMLElement): string {
  return (element as HTMLInputElement | HTMLSelectElement).value;
}

function problemResponse(status: number, body: object): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

/** The requests the page sent, as method, path and JSON body. */
async function sentRequests(): Promise<Array<{ method: string; path: string; body: unknown }>> {
  return Promise.all(
    fetchMock.mock.calls.map(async ([input]) => {
      const request = input as Request;
      return {
        method: request.method,
        path: new URL(request.url).pathname,
        body: await request.clone().json(),
      };
    }),
  );
}

function withQueryClient(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <SessionProvider>{children}</SessionProvider>
    </QueryClientProvider>
  );
}

describe("SignupForm with a server refusal", () => {
  beforeEach(() => fetchMock.mockReset());
  afterEach(() => vi.clearAllMocks());

  it("shows a validation error under its input and keeps everything typed", async () => {
    fetchMock.mockResolvedValueOnce(
      problemResponse(422, {
        status: 422,
        code: "validation_error",
        detail: "The request has invalid fields",
        errors: [
          {
            field: "name",
            location: "body",
            message: "Value error, contains a disallowed character U+0007",
            type: "value_error",
          },
        ],
      }),
    );
    const user = userEvent.setup();
    render(withQueryClient(<SignupForm next={null} />));

    await user.type(await screen.findByLabelText("Your name"), "Ada Lovelace");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "a long enough passphrase");
    await user.type(screen.getByLabelText("Household name (optional)"), "Analytical");
    await user.selectOptions(screen.getByLabelText("Currency"), "GBP");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    const nameInput = screen.getByLabelText("Your name");
    await waitFor(() => expect(nameInput.getAttribute("aria-invalid")).toBe("true"));
    const described = document.getElementById(nameInput.getAttribute("aria-describedby") ?? "");
    expect(described?.textContent).toBe("Contains a disallowed character U+0007");
    expect(screen.getByText("Please correct the highlighted fields.")).toBeTruthy();

    expect(valueOf(nameInput)).toBe("Ada Lovelace");
    expect(valueOf(screen.getByLabelText("Email"))).toBe("ada@example.com");
    expect(valueOf(screen.getByLabelText("Password"))).toBe("a long enough passphrase");
    expect(valueOf(screen.getByLabelText("Household name (optional)"))).toBe("Analytical");
    expect(valueOf(screen.getByLabelText("Currency"))).toBe("GBP");
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBeNull();

    expect(await sentRequests()).toEqual([
      {
        method: "POST",
        path: "/api/v1/auth/register",
        body: {
          name: "Ada Lovelace",
          email: "ada@example.com",
          password: "a long enough passphrase",
          create_household: true,
          household_name: "Analytical",
          currency: "GBP",
        },
      },
    ]);
  });

  it("puts a taken email (409 email_taken) under the email field", async () => {
    fetchMock.mockResolvedValueOnce(
      problemResponse(409, {
        status: 409,
        code: "email_taken",
        detail: "An account with this email address already exists",
      }),
    );
    const user = userEvent.setup();
    render(withQueryClient(<SignupForm next={null} />));
    await user.type(await screen.findByLabelText("Your name"), "Ada");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "a long enough passphrase");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    const email = screen.getByLabelText("Email");
    await waitFor(() => expect(email.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(email.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "An account with this email address already exists",
    );
    expect(valueOf(email)).toBe("ada@example.com");
  });

  it("creates no household of its own when signing up to accept an invitation", async () => {
    fetchMock.mockResolvedValueOnce(
      problemResponse(409, {
        status: 409,
        code: "email_taken",
        detail: "An account with this email address already exists",
      }),
    );
    const user = userEvent.setup();
    render(withQueryClient(<SignupForm next="/invitations/accept?token=abc" />));
    await user.type(await screen.findByLabelText("Your name"), "Ada");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "a long enough passphrase");
    expect(screen.queryByLabelText("Household name (optional)")).toBeNull();
    expect(screen.queryByLabelText("Currency")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Create account" }));

    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect((await sentRequests())[0]?.body).toEqual({
      name: "Ada",
      email: "ada@example.com",
      password: "a long enough passphrase",
      create_household: false,
    });
  });

  it("does not call the API while required fields are missing", async () => {
    const user = userEvent.setup();
    render(withQueryClient(<SignupForm next={null} />));
    await user.click(await screen.findByRole("button", { name: "Create account" }));
    expect(screen.getByText("Enter your name.")).toBeTruthy();
    expect(screen.getByText("Enter your email address.")).toBeTruthy();
    expect(screen.getByText("Choose a password.")).toBeTruthy();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
