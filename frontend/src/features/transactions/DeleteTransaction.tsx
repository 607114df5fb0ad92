"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { Alert } from "@/components/ui/Alert";
import { FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import {
  isReconciledConflict,
  isVersionConflict,
  RECONCILED_CONFIRM_MESSAGE,
  useDeleteTransaction,
  VERSION_CONFLICT_MESSAGE,
} from "./api";
import type { Transaction } from "./form";

/**
 * Delete with a second, explicit confirmation (adults only; the caller decides to render it).
 * With `onDeferredDelete` the page holds the delete back behind an undo (useDeferredDelete);
 * without it the delete is sent at once.
 */
export function DeleteTransaction({
  transaction,
  onDeleted,
  onConflict,
  onDeferredDelete,
}: {
  transaction: Transaction;
  onDeleted: () => void;
  onConflict: () => void;
  onDeferredDelete?: ((transaction: Transaction) => void) | undefined;
}) {
  const household = useHousehold();
  const remove = useDeleteTransaction(household.id);
  const [confirming, setConfirming] = useState(false);
  const reconciled = isReconciledConflict(remove.error);

  if (!confirming) {
    return (
      <Button variant="ghost" className="text-danger" onClick={() => setConfirming(true)}>
        Delete
      </Button>
    );
  }
  return (
    <div
      role="group"
      aria-label="Confirm delete"
      className="flex flex-col gap-2 rounded-md border border-danger bg-danger-bg p-2 sm:max-w-64"
    >
      <p className="text-sm text-danger">
        {transaction.transfer
          ? "Delete this transfer? Both sides are deleted."
          : "Delete this transaction?"}{" "}
        {onDeferredDelete ? "You can undo it for a few seconds." : "This cannot be undone."}
      </p>
      {isVersionConflict(remove.error) ? (
        <Alert tone="warning">{VERSION_CONFLICT_MESSAGE}</Alert>
      ) : reconciled ? (
        <Alert tone="warning">{RECONCILED_CONFIRM_MESSAGE}</Alert>
      ) : (
        <FormError error={remove.error} />
      )}
      <div className="flex gap-2">
        <Button
          variant="secondary"
          size="md"
          onClick={() => (setConfirming(false), remove.reset())}
        >
          Keep it
        </Button>
        <Button
          variant="danger"
          busy={remove.isPending}
          onClick={() => {
            // A reconciled row goes to the API at once: it must ask before deleting it.
            if (onDeferredDelete && transaction.cleared !== "reconciled") {
              onDeferredDelete(transaction);
              onDeleted();
              return;
            }
            remove.mutate(
              // After the API asked, pressing again is the go-ahead for a reconciled one.
              { transaction, confirmReconciled: reconciled },
              {
                onSuccess: onDeleted,
                onError: (error) => isVersionConflict(error) && onConflict(),
              },
            );
          }}
        >
          {reconciled ? "Delete anyway" : "Yes, delete"}
        </Button>
      </div>
    </div>
  );
}
