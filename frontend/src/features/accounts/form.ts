import { amountInputValue, parseAmount, type Currency } from "@/lib/money";

import type { AccountKind } from "./logic";

/** What the account dialog holds: the text as typed, turned into an API body on submit. */
export interface AccountFormValues {
  name: string;
  kind: AccountKind;
  openingBalance: string;
  openedOn: string;
  sharedWith: string[];
}

export interface AccountFormBody {
  name: string;
  kind: AccountKind;
  opening_balance_minor: number;
  opened_on: string;
  shared_with_user_ids: string[];
}

/** Client-side messages keyed like the API's field errors, so one lookup serves both. */
export type AccountFormErrors = Partial<
  Record<"name" | "opening_balance_minor" | "opened_on", string>
>;

export const MAX_NAME_LENGTH = 100;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function newAccountValues(today: string): AccountFormValues {
  return { name: "", kind: "checking", openingBalance: "", openedOn: today, sharedWith: [] };
}

export function accountValues(
  account: {
    name: string;
    kind: AccountKind;
    opening_balance_minor: number;
    opened_on: string;
    shared_with_user_ids: string[];
  },
  currency: Currency,
  locale?: string,
): AccountFormValues {
  return {
    name: account.name,
    kind: account.kind,
    openingBalance: amountInputValue(account.opening_balance_minor, currency, locale),
    openedOn: account.opened_on,
    sharedWith: [...account.shared_with_user_ids],
  };
}

/** The body to send, or the fields to correct first. An empty opening balance means zero. */
export function accountFormBody(
  values: AccountFormValues,
  currency: Currency,
  locale?: string,
): { ok: true; body: AccountFormBody } | { ok: false; errors: AccountFormErrors } {
  const errors: AccountFormErrors = {};
  const name = values.name.trim();
  if (name === "") errors.name = "Enter a name";
  else if ([...name].length > MAX_NAME_LENGTH)
    errors.name = `Use at most ${MAX_NAME_LENGTH} characters`;

  let openingMinor = 0;
  if (values.openingBalance.trim() !== "") {
    const parsed = parseAmount(values.openingBalance, currency, locale);
    if (parsed.ok) openingMinor = parsed.minor;
    else errors.opening_balance_minor = parsed.error;
  }

  if (!ISO_DATE.test(values.openedOn)) errors.opened_on = "Enter the date the account was opened";

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name,
      kind: values.kind,
      opening_balance_minor: openingMinor,
      opened_on: values.openedOn,
      shared_with_user_ids: [...new Set(values.sharedWith)].sort(),
    },
  };
}
