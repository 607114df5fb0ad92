/**
 * How a transfer reads in the list. Without an account filter the API sends one row per
 * transfer (its outgoing leg): "Checking → Savings" and the amount moved. In one account's list
 * each leg is that account's side: "Transfer to Savings" / "Transfer from Checking".
 */
import type { Transaction } from "./form";

/** Shown for an account a teen may not see (the API leaves its name out). */
export const UNNAMED_ACCOUNT = "another account";

type Link = NonNullable<Transaction["transfer"]>;

export function transferRoute(link: Link): string {
  return `${link.from_account_name ?? capitalize(UNNAMED_ACCOUNT)} → ${link.to_account_name ?? UNNAMED_ACCOUNT}`;
}

/** This leg's side of the transfer, seen from its own account. */
export function transferSide(transaction: Pick<Transaction, "amount_minor">, link: Link): string {
  return transaction.amount_minor < 0
    ? `Transfer to ${link.to_account_name ?? UNNAMED_ACCOUNT}`
    : `Transfer from ${link.from_account_name ?? UNNAMED_ACCOUNT}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
