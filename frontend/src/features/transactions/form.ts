/**
 * The add/edit form's state and its translation to the API's bodies. Amounts are typed as
 * positive numbers with an Expense/Income choice (a leading "-" also means expense); split lines
 * are typed in the same direction as the total, so "60" + "40" splits an expense of 100.
 */
import type { components } from "@/api/schema";
import { amountInputValue, parseAmount, type Currency } from "@/lib/money";

import { validateSplit, type SplitProblem } from "./splits";

export type Transaction = components["schemas"]["TransactionRead"];
export type TransactionCreateBody = components["schemas"]["TransactionCreate"];
export type TransactionUpdateBody = components["schemas"]["TransactionUpdate"];

export type Direction = "expense" | "income";

export interface SplitLineDraft {
  /** Stable React key; not sent. */
  key: string;
  categoryId: string;
  amountText: string;
  memo: string;
}

export interface TransactionDraft {
  accountId: string;
  postedOn: string;
  payee: string;
  direction: Direction;
  amountText: string;
  categoryId: string;
  memo: string;
  tagsText: string;
  pending: boolean;
  splitMode: boolean;
  lines: SplitLineDraft[];
}

/**
 * Client-side errors keyed like the API's field errors ("amount_minor", "splits.1.amount_minor").
 */
export type DraftErrors = Record<string, string>;

let lineCounter = 0;
export function newSplitLine(amountText = "", categoryId = ""): SplitLineDraft {
  lineCounter += 1;
  return { key: `line-${lineCounter}`, categoryId, amountText, memo: "" };
}

export function emptyDraft(accountId: string, today: string): TransactionDraft {
  return {
    accountId,
    postedOn: today,
    payee: "",
    direction: "expense",
    amountText: "",
    categoryId: "",
    memo: "",
    tagsText: "",
    pending: false,
    splitMode: false,
    lines: [newSplitLine(), newSplitLine()],
  };
}

/** What a new transaction starts with (a receipt's date, merchant and total). */
export interface TransactionPrefill {
  postedOn?: string | undefined;
  payee?: string | undefined;
  /** Signed minor units: negative is an expense. */
  amountMinor?: number | null | undefined;
}

/** A new transaction's draft with what is known already; unknown parts stay as they were. */
export function withPrefill(
  draft: TransactionDraft,
  prefill: TransactionPrefill,
  currency: Currency,
  locale?: string,
): TransactionDraft {
  const amount = prefill.amountMinor;
  return {
    ...draft,
    postedOn: prefill.postedOn ?? draft.postedOn,
    payee: prefill.payee ?? draft.payee,
    ...(amount !== null && amount !== undefined
      ? {
          amountText: amountInputValue(Math.abs(amount), currency, locale),
          direction: amount < 0 ? ("expense" as const) : ("income" as const),
        }
      : {}),
  };
}

export function draftFromTransaction(
  transaction: Transaction,
  currency: Currency,
  locale?: string,
): TransactionDraft {
  const sign = transaction.amount_minor < 0 ? -1 : 1;
  const split = transaction.splits.length > 0;
  return {
    accountId: transaction.account_id,
    postedOn: transaction.posted_on,
    payee: transaction.payee,
    direction: sign < 0 ? "expense" : "income",
    amountText: amountInputValue(Math.abs(transaction.amount_minor), currency, locale),
    categoryId: transaction.category_id ?? "",
    memo: transaction.memo,
    tagsText: transaction.tags.join(", "),
    pending: transaction.status === "pending",
    splitMode: split,
    lines: split
      ? transaction.splits.map((line) => ({
          ...newSplitLine(
            amountInputValue(sign * line.amount_minor, currency, locale),
            line.category_id ?? "",
          ),
          memo: line.memo,
        }))
      : [newSplitLine(), newSplitLine()],
  };
}

/** What the payee autocomplete offers: a payee the household used, with its usual category. */
export type PayeeSuggestion = Pick<components["schemas"]["PayeeRead"], "payee" | "category_id">;

/**
 * The draft after the payee field changed. Picking (or typing exactly) a known payee fills in its
 * usual category, unless a category is chosen already or the amount is split.
 */
export function withPayee(
  draft: TransactionDraft,
  payee: string,
  suggestions: readonly PayeeSuggestion[],
): TransactionDraft {
  const known = suggestions.find((item) => item.payee === payee);
  const fill = known?.category_id && !draft.categoryId && !draft.splitMode;
  return fill ? { ...draft, payee, categoryId: known.category_id ?? "" } : { ...draft, payee };
}

/** A typed leading minus means money going out, whatever the toggle said. */
export function directionAfterTyping(text: string, current: Direction): Direction {
  return /^\s*[-\u2212]/.test(text) ? "expense" : current;
}

/** "food, Holiday 2024 ,food" → ["food", "Holiday 2024"]: trimmed, without blanks or repeats. */
export function parseTags(text: string): string[] {
  const tags: string[] = [];
  for (const part of text.split(",")) {
    const tag = part.trim();
    if (tag && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/** Magnitude typed in the amount field (the sign comes from `direction`). */
export function parseMagnitude(text: string, currency: Currency, locale?: string) {
  const parsed = parseAmount(text, currency, locale);
  return parsed.ok ? { ok: true as const, minor: Math.abs(parsed.minor) } : parsed;
}

/** Split line amounts as typed (in the total's direction); null where empty or unreadable. */
export function parseLineAmounts(
  lines: readonly SplitLineDraft[],
  currency: Currency,
  locale?: string,
): (number | null)[] {
  return lines.map((line) => {
    const parsed = parseAmount(line.amountText, currency, locale);
    return parsed.ok ? parsed.minor : null;
  });
}

/** A split that can be saved: the total is readable and the lines close it exactly. */
export function splitIsComplete(
  draft: Pick<TransactionDraft, "amountText" | "lines">,
  currency: Currency,
  locale?: string,
): boolean {
  const total = parseMagnitude(draft.amountText, currency, locale);
  return (
    total.ok &&
    validateSplit(total.minor, parseLineAmounts(draft.lines, currency, locale)).length === 0
  );
}

export function splitProblemMessage(
  problem: SplitProblem,
  formatAmount: (minor: number) => string,
): string {
  switch (problem.kind) {
    case "too_few_lines":
      return "A split needs at least two lines.";
    case "too_many_lines":
      return "A split can have at most 100 lines.";
    case "missing_amount":
      return "Enter an amount";
    case "zero_line":
      return "A line cannot be zero";
    case "not_balanced":
      return problem.remainingMinor > 0
        ? `${formatAmount(problem.remainingMinor)} is left to assign.`
        : `The lines are ${formatAmount(-problem.remainingMinor)} over the total.`;
  }
}

export type BuildResult =
  { ok: true; body: TransactionCreateBody } | { ok: false; errors: DraftErrors };

/** The create body for a draft, or the errors to show at the fields. */
export function buildTransaction(
  draft: TransactionDraft,
  currency: Currency,
  formatAmount: (minor: number) => string,
  locale?: string,
): BuildResult {
  const errors: DraftErrors = {};
  if (!draft.accountId) errors.account_id = "Choose an account";
  if (!draft.postedOn) errors.posted_on = "Choose a date";
  const total = parseMagnitude(draft.amountText, currency, locale);
  if (!total.ok) errors.amount_minor = total.error;
  const sign = draft.direction === "expense" ? -1 : 1;

  let splits: TransactionCreateBody["splits"] = [];
  if (draft.splitMode) {
    const lineAmounts = parseLineAmounts(draft.lines, currency, locale);
    draft.lines.forEach((line, index) => {
      if (line.amountText.trim() !== "" && lineAmounts[index] === null) {
        const parsed = parseAmount(line.amountText, currency, locale);
        if (!parsed.ok) errors[`splits.${index}.amount_minor`] = parsed.error;
      }
    });
    if (total.ok) {
      for (const problem of validateSplit(total.minor, lineAmounts)) {
        if (problem.kind === "missing_amount" || problem.kind === "zero_line") {
          errors[`splits.${problem.index}.amount_minor`] ??= splitProblemMessage(
            problem,
            formatAmount,
          );
        } else {
          errors.splits ??= splitProblemMessage(problem, formatAmount);
        }
      }
    }
    splits = draft.lines.map((line, index) => ({
      category_id: line.categoryId || null,
      amount_minor: sign * (lineAmounts[index] ?? 0),
      memo: line.memo.trim(),
    }));
  }
  if (Object.keys(errors).length > 0 || !total.ok) return { ok: false, errors };
  return {
    ok: true,
    body: {
      account_id: draft.accountId,
      posted_on: draft.postedOn,
      amount_minor: sign * total.minor,
      payee: draft.payee.trim(),
      memo: draft.memo.trim(),
      category_id: draft.splitMode ? null : draft.categoryId || null,
      status: draft.pending ? "pending" : "posted",
      // Typed in by hand: it is marked cleared on the account's register once the bank shows it.
      cleared: "uncleared",
      tags: parseTags(draft.tagsText),
      splits,
    },
  };
}

/**
 * The PATCH body for an edit. A teen may change only the category, splits and tags; a transfer
 * has no category or split, so those are left out rather than sent as "none".
 */
export function updateBody(
  body: TransactionCreateBody,
  options: { isAdult: boolean; isTransfer: boolean },
): TransactionUpdateBody {
  const categorization: TransactionUpdateBody = options.isTransfer
    ? {}
    : { category_id: body.category_id ?? null, splits: body.splits ?? [] };
  if (!options.isAdult) return { ...categorization, tags: body.tags ?? [] };
  return {
    ...categorization,
    account_id: body.account_id,
    posted_on: body.posted_on,
    amount_minor: body.amount_minor,
    payee: body.payee,
    memo: body.memo,
    status: body.status,
    tags: body.tags ?? [],
  };
}
