"use client";

import { ApiError } from "@/api/problem";
import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useDeleteAccount, useSetAccountArchived, type Account } from "./api";

/**
 * Confirm before deleting. The API refuses to delete an account that has transactions; the
 * dialog then shows why and offers to archive it instead.
 */
export function DeleteAccountDialog({
  account,
  onClose,
}: {
  account: Account | null;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={account !== null}
      onOpenChange={(open) => !open && onClose()}
      title={account ? `Delete ${account.name}?` : "Delete account?"}
    >
      {account ? <DeleteAccountForm account={account} onClose={onClose} /> : null}
    </Dialog>
  );
}

function DeleteAccountForm({ account, onClose }: { account: Account; onClose: () => void }) {
  const household = useHousehold();
  const remove = useDeleteAccount(household.id);
  const archive = useSetAccountArchived(household.id);
  const hasTransactions =
    remove.error instanceof ApiError && remove.error.code === "account_has_transactions";

  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm">
        This removes the account for everyone in the household. It cannot be undone.
      </p>
      <FormError error={remove.error} />
      <FormError error={archive.error} />
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        {hasTransactions && account.archived_at === null ? (
          <Button
            busy={archive.isPending}
            onClick={() =>
              archive.mutate({ accountId: account.id, archived: true }, { onSuccess: onClose })
            }
          >
            Archive instead
          </Button>
        ) : null}
        {!hasTransactions ? (
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => remove.mutate(account.id, { onSuccess: onClose })}
          >
            Delete account
          </Button>
        ) : null}
      </DialogActions>
    </div>
  );
}
