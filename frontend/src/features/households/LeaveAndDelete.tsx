"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { useMe } from "@/features/session/SessionProvider";

import { useDeleteHousehold, useLeaveHousehold } from "./api";
import { useHousehold } from "./HouseholdContext";

/** Leaving (everyone) and deleting the household (owners): both confirmed, both final. */
export function LeaveAndDelete() {
  const household = useHousehold();
  const [dialog, setDialog] = useState<"leave" | "delete" | null>(null);
  const close = () => setDialog(null);
  return (
    <Card title={household.isOwner ? "Leave or delete" : "Leave"}>
      <div className="flex flex-col gap-4 text-sm">
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-muted">
            Stop sharing this budget. You can only come back with a new invitation.
          </p>
          <Button variant="secondary" onClick={() => setDialog("leave")} className="shrink-0">
            Leave household
          </Button>
        </div>
        {household.isOwner ? (
          <div className="flex flex-col gap-2 border-t border-border pt-4 sm:flex-row sm:items-center sm:justify-between">
            <p className="text-muted">
              Delete {household.name} with all its accounts, transactions and budgets, for every
              member. This cannot be undone.
            </p>
            <Button variant="danger" onClick={() => setDialog("delete")} className="shrink-0">
              Delete household
            </Button>
          </div>
        ) : null}
      </div>
      {dialog === "leave" ? <LeaveDialog onClose={close} /> : null}
      {dialog === "delete" ? <DeleteDialog onClose={close} /> : null}
    </Card>
  );
}

function LeaveDialog({ onClose }: { onClose: () => void }) {
  const household = useHousehold();
  const me = useMe();
  const leave = useLeaveHousehold(household.id, me.id);
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={`Leave ${household.name}?`}>
      <div className="flex flex-col gap-4 text-sm">
        <p>
          You will no longer see its accounts, transactions or budget. The others keep everything,
          including what you recorded.
        </p>
        <FormError error={leave.error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={leave.isPending || leave.isSuccess}
            onClick={() => leave.mutate()}
          >
            Leave household
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}

function DeleteDialog({ onClose }: { onClose: () => void }) {
  const household = useHousehold();
  const remove = useDeleteHousehold(household.id);
  const [typed, setTyped] = useState("");
  const matches = typed.trim() === household.name.trim();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (matches) remove.mutate();
  }

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={`Delete ${household.name}?`}>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4 text-sm">
        <p>
          Every account, transaction, category and budget of this household is deleted for all its
          members. This cannot be undone.
        </p>
        <FormError error={remove.error} />
        <TextField
          label={
            <>
              Type <strong className="break-all">{household.name}</strong> to confirm
            </>
          }
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="danger"
            disabled={!matches}
            busy={remove.isPending || remove.isSuccess}
          >
            Delete household
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
