"use client";

import { memo, type Ref } from "react";

import { Amount } from "@/components/ui/Amount";
import { cn } from "@/components/ui/cn";
import type { Account } from "@/features/accounts/api";
import type { CategoryGroup } from "@/features/categories/api";
import { formatDate } from "@/lib/dates";
import type { Currency } from "@/lib/money";

import { accountCurrency } from "@/features/accounts/logic";
import type { Transaction } from "./form";
import { RowCategorySelect } from "./RowCategorySelect";
import { transferRoute, transferSide } from "./transferLabels";

/**
 * One grid for both layouts. Phone: checkbox | payee, amount / date · account, category (two
 * lines). md and up: checkbox | date | payee | category | account | amount | edit.
 */
export const ROW_GRID =
  "grid grid-cols-[2.75rem_minmax(0,1fr)_auto] items-center gap-x-2 md:grid-cols-[2.75rem_6.5rem_minmax(0,1fr)_11rem_9rem_8.5rem_4.5rem]";

export function payeeLabel(
  transaction: Pick<Transaction, "payee" | "amount_minor" | "transfer">,
  oneAccount = true,
): string {
  const link = transaction.transfer;
  if (link && !oneAccount) return transferRoute(link);
  if (transaction.payee) return transaction.payee;
  return link ? transferSide(transaction, link) : "(no payee)";
}

export function isBulkCategorizable(
  transaction: Pick<Transaction, "transfer" | "splits">,
): boolean {
  return transaction.transfer === null && transaction.splits.length === 0;
}

interface Props {
  transaction: Transaction;
  rowIndex: number;
  /** Offset from the top of the list, in pixels. */
  top: number;
  measureRef: Ref<HTMLDivElement>;
  accountsById: Map<string, Account>;
  groups: CategoryGroup[];
  householdCurrency: Currency;
  /** The list shows one account: a transfer shows that account's leg, not the whole move. */
  oneAccount: boolean;
  selected: boolean;
  saving: boolean;
  onToggle: (id: string) => void;
  onEdit: (transaction: Transaction) => void;
  onCategoryChange: (transaction: Transaction, categoryId: string | null) => void;
}

export const TransactionRow = memo(function TransactionRow({
  transaction,
  rowIndex,
  top,
  measureRef,
  accountsById,
  groups,
  householdCurrency,
  oneAccount,
  selected,
  saving,
  onToggle,
  onEdit,
  onCategoryChange,
}: Props) {
  const account = accountsById.get(transaction.account_id);
  const currency = accountCurrency(account, householdCurrency);
  const payee = payeeLabel(transaction, oneAccount);
  // One row for a whole transfer: the amount moved, neither in nor out of the household.
  const whole = transaction.transfer && !oneAccount ? transaction.transfer : null;
  const date = formatDate(transaction.posted_on);
  const selectable = isBulkCategorizable(transaction);
  const editName = `Edit ${payee}, ${date}`;

  return (
    <div
      ref={measureRef}
      role="row"
      aria-rowindex={rowIndex}
      data-index={rowIndex - 2}
      style={{ transform: `translateY(${top}px)` }}
      className={cn(
        ROW_GRID,
        "absolute inset-x-0 top-0 border-b border-border py-1 pr-2 md:py-0.5",
        selected ? "bg-primary/10" : "bg-card",
      )}
    >
      <div role="cell" className="row-span-2 self-stretch md:row-span-1">
        <label className="flex h-full min-h-11 min-w-11 cursor-pointer items-center justify-center">
          <input
            type="checkbox"
            className="size-5 accent-primary"
            checked={selected}
            disabled={!selectable}
            title={
              selectable
                ? undefined
                : "Split and transfer transactions cannot be re-categorized in bulk"
            }
            aria-label={`Select ${payee}, ${date}`}
            onChange={() => onToggle(transaction.id)}
          />
        </label>
      </div>
      <div
        role="cell"
        className="col-start-2 row-start-2 min-w-0 truncate text-xs text-muted md:col-start-2 md:row-start-1 md:text-sm md:text-fg"
      >
        {date}
        {whole ? null : <span className="md:hidden"> · {account?.name ?? "…"}</span>}
      </div>
      <div role="cell" className="col-start-2 row-start-1 min-w-0 md:col-start-3">
        <button
          type="button"
          onClick={() => onEdit(transaction)}
          aria-label={editName}
          className="flex min-h-11 w-full min-w-0 items-center gap-2 rounded text-left hover:underline"
        >
          <span
            title={payee}
            className={cn("truncate font-medium", !transaction.payee && !whole && "text-muted")}
          >
            {payee}
          </span>
          <Badges transaction={transaction} />
        </button>
      </div>
      <div
        role="cell"
        className="col-start-3 row-start-2 min-w-0 max-w-32 justify-self-end md:col-start-4 md:row-start-1 md:max-w-none md:justify-self-stretch"
      >
        <CategoryCell
          transaction={transaction}
          oneAccount={oneAccount}
          groups={groups}
          payee={payee}
          saving={saving}
          onCategoryChange={onCategoryChange}
        />
      </div>
      <div
        role="cell"
        className="hidden min-w-0 truncate text-sm md:col-start-5 md:row-start-1 md:block"
      >
        {whole ? "" : (account?.name ?? "…")}
      </div>
      <div role="cell" className="col-start-3 row-start-1 text-right font-medium md:col-start-6">
        <Amount minor={whole ? whole.moved_minor : transaction.amount_minor} currency={currency} />
      </div>
      <div role="cell" className="hidden md:col-start-7 md:row-start-1 md:flex md:justify-end">
        <button
          type="button"
          onClick={() => onEdit(transaction)}
          aria-label={editName}
          className="min-h-11 rounded-md px-3 text-sm text-primary hover:bg-bg"
        >
          Edit
        </button>
      </div>
    </div>
  );
});

function Badges({ transaction }: { transaction: Transaction }) {
  return (
    <span className="flex shrink-0 gap-1">
      {transaction.splits.length > 0 ? (
        <Badge className="border-border text-muted">Split</Badge>
      ) : null}
      {transaction.transfer ? (
        <Badge className="border-primary text-primary">Transfer</Badge>
      ) : null}
      {transaction.status === "pending" ? (
        <Badge className="border-warning bg-warning-bg text-warning">Pending</Badge>
      ) : null}
      {transaction.receipt_count > 0 ? (
        <Badge className="border-border text-muted">
          {transaction.receipt_count === 1 ? "Receipt" : `${transaction.receipt_count} receipts`}
        </Badge>
      ) : null}
    </span>
  );
}

function Badge({ className, children }: { className: string; children: string }) {
  return (
    <span
      className={cn(
        "rounded-full border px-1 py-px text-[0.7rem] leading-4 font-medium md:px-1.5",
        className,
      )}
    >
      {children}
    </span>
  );
}

function CategoryCell({
  transaction,
  oneAccount,
  groups,
  payee,
  saving,
  onCategoryChange,
}: {
  transaction: Transaction;
  oneAccount: boolean;
  groups: CategoryGroup[];
  payee: string;
  saving: boolean;
  onCategoryChange: (transaction: Transaction, categoryId: string | null) => void;
}) {
  if (transaction.transfer) {
    // A transfer is neither spending nor income: it names where the money went instead.
    return (
      <span className="block truncate text-sm text-muted">
        {oneAccount ? transferSide(transaction, transaction.transfer) : "Transfer"}
      </span>
    );
  }
  if (transaction.splits.length > 0) {
    return (
      <span className="block truncate text-sm text-muted">
        {transaction.splits.length} categories
      </span>
    );
  }
  return (
    <RowCategorySelect
      label={`Category for ${payee}, ${formatDate(transaction.posted_on)}`}
      value={transaction.category_id}
      groups={groups}
      saving={saving}
      onChange={(categoryId) => onCategoryChange(transaction, categoryId)}
    />
  );
}
