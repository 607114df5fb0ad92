"use client";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useDeleteRule, type Rule } from "./api";

export function DeleteRuleDialog({
  rule,
  onClose,
}: {
  rule: Rule | null;
  onClose: (message?: string) => void;
}) {
  const household = useHousehold();
  const remove = useDeleteRule(household.id);

  async function confirm() {
    if (!rule) return;
    try {
      await remove.mutateAsync(rule.id);
      remove.reset();
      onClose("Rule deleted.");
    } catch {
      // Shown below.
    }
  }

  return (
    <Dialog
      open={rule !== null}
      onOpenChange={(open) => {
        if (!open) {
          remove.reset();
          onClose();
        }
      }}
      title={rule ? `Delete “${rule.name}”?` : "Delete rule"}
      description="Transactions it already changed keep their category, payee and tags."
    >
      <div className="flex flex-col gap-4">
        <FormError error={remove.error} />
        <DialogActions>
          <Button variant="secondary" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={() => void confirm()}>
            Delete rule
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
