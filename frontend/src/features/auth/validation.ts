/**
 * Client-side checks of the sign-in forms. They mirror the backend's rules (auth/passwords.py,
 * schemas) so a person learns about a typo before a round trip; the server stays the authority
 * (common passwords, taken addresses) and its answers are shown at the same fields.
 */

import type { CurrencyCode } from "./currencies";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1000;
export const MAX_NAME_LENGTH = 100;
export const MAX_HOUSEHOLD_NAME_LENGTH = 200;
export const MAX_EMAIL_LENGTH = 320;

export const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong, memorable password; common passwords are refused.`;

/** Field name (as the API spells it) → message; empty when the form may be sent. */
export type FieldErrors = Partial<Record<string, string>>;

export interface SignupValues {
  name: string;
  email: string;
  password: string;
  householdName: string;
  currency: CurrencyCode;
}

// Deliberately loose: one "@", something on both sides, a dot in the domain. The server has
// the final word; this only catches slips like a missing "@" or a trailing space inside.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emailError(email: string): string | undefined {
  const trimmed = email.trim();
  if (!trimmed) return "Enter your email address.";
  if (trimmed.length > MAX_EMAIL_LENGTH)
    return `An email address has at most ${MAX_EMAIL_LENGTH} characters.`;
  if (!EMAIL_SHAPE.test(trimmed)) return "Enter an email address like name@example.com.";
  return undefined;
}

export function newPasswordError(password: string): string | undefined {
  if (!password) return "Choose a password.";
  if (password.length < MIN_PASSWORD_LENGTH)
    return `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `The password may have at most ${MAX_PASSWORD_LENGTH} characters.`;
  return undefined;
}

function requiredText(value: string, label: string, max: number): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return `Enter ${label}.`;
  if (trimmed.length > max) return `At most ${max} characters.`;
  return undefined;
}

function compact(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([, message]) => message !== undefined));
}

export function validateSignup(values: SignupValues): FieldErrors {
  const householdName = values.householdName.trim();
  return compact({
    name: requiredText(values.name, "your name", MAX_NAME_LENGTH),
    email: emailError(values.email),
    password: newPasswordError(values.password),
    household_name:
      householdName.length > MAX_HOUSEHOLD_NAME_LENGTH
        ? `At most ${MAX_HOUSEHOLD_NAME_LENGTH} characters.`
        : undefined,
    currency: values.currency ? undefined : "Choose a currency.",
  });
}

export function validateLogin(values: { email: string; password: string }): FieldErrors {
  return compact({
    email: emailError(values.email),
    password: values.password ? undefined : "Enter your password.",
  });
}

export function validateNewPassword(values: {
  password: string;
  confirmation: string;
}): FieldErrors {
  const passwordError = newPasswordError(values.password);
  return compact({
    new_password: passwordError,
    confirmation:
      !passwordError && values.password !== values.confirmation
        ? "The two passwords are not the same."
        : undefined,
  });
}

export function validateHouseholdName(name: string): string | undefined {
  return requiredText(name, "a name for the household", MAX_HOUSEHOLD_NAME_LENGTH);
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}
