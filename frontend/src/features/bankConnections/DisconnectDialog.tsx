"use client";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useDeleteBankConnection, type BankConnection } from "./api";

/** Confirm before disconnecting: the bank stops sharing; accounts and transactions stay. */
export function DisconnectDialog({
  connection,
  onClose,
}: {
  connection: BankConnection | null;
  onClose: () => void;
}) {
  const household = useHousehold();
  const remove = useDeleteBankConnection(household.id);
  return (
    <Dialog
      open={connection !== null}
      onOpenChange={(open) => !open && onClose()}
      title={connection ? `Disconnect ${connection.institution_name}?` : "Disconnect?"}
    >
      {connection ? (
        <div className="flex flex-col gap-4">
          <p className="text-sm">
            New transactions stop arriving. The accounts and every transaction already here stay, as
            accounts you update by hand.
          </p>
          <FormError error={remove.error} />
          <DialogActions>
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button
              variant="danger"
              busy={remove.isPending}
              onClick={() => remove.mutate(connection.id, { onSuccess: onClose })}
            >
              Disconnect
            </Button>
          </DialogActions>
        </div>
      ) : null}
    </Dialog>
  );
}
