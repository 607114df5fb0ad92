"use client";

import { Button } from "@/components/ui/Button";

import type { Transaction } from "./form";
import { payeeLabel } from "./TransactionRow";

/** "Deleted — Undo" while useDeferredDelete holds the delete back. */
export function UndoDeleteToast({
  transaction,
  oneAccount,
  onUndo,
}: {
  transaction: Transaction;
  oneAccount: boolean;
  onUndo: () => void;
}) {
  return (
    <div
      role="status"
      className="fixed inset-x-4 bottom-4 z-40 mx-auto flex max-w-md items-center justify-between gap-3 rounded-lg border border-border bg-card p-3 shadow-lg"
    >
      <span className="min-w-0 truncate text-sm">
        Deleted — <span className="font-medium">{payeeLabel(transaction, oneAccount)}</span>
      </span>
      <Button variant="secondary" onClick={onUndo}>
        Undo
      </Button>
    </div>
  );
}
