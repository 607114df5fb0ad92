"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { formatMonth } from "@/lib/dates";

import { useQuickAssign, type QuickAssignStrategy } from "./api";
import { QUICK_ASSIGN_LABELS, quickAssignMessage } from "./envelope";

const DESCRIPTIONS: Record<QuickAssignStrategy, string> = {
  fund_targets: "Adds to each category what its target still needs this month.",
  last_month: "Sets each category to what was assigned to it last month.",
  average_3_months: "Sets each category to what it spent on average over the last 3 months.",
};

/** Set every category's amount for the month in one step, by one of three rules. */
export function QuickAssign({
  householdId,
  month,
  onDone,
}: {
  householdId: string;
  month: string;
  onDone: (message: string) => void;
}) {
  const quick = useQuickAssign(householdId, month);
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Quick assign
      </Button>
      <Dialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) quick.reset();
        }}
        title={`Quick assign · ${formatMonth(month)}`}
        description="Replaces this month's amounts in every spending category."
      >
        <div className="flex flex-col gap-3">
          <FormError error={quick.error} />
          {(Object.keys(QUICK_ASSIGN_LABELS) as QuickAssignStrategy[]).map((strategy) => (
            <div key={strategy} className="flex flex-col gap-1">
              <Button
                variant="secondary"
                busy={quick.isPending && quick.variables === strategy}
                disabled={quick.isPending}
                onClick={() =>
                  quick.mutate(strategy, {
                    onSuccess: (result) => {
                      setOpen(false);
                      onDone(quickAssignMessage(result.changes.length));
                    },
                  })
                }
              >
                {QUICK_ASSIGN_LABELS[strategy]}
              </Button>
              <p className="text-xs text-muted">{DESCRIPTIONS[strategy]}</p>
            </div>
          ))}
        </div>
      </Dialog>
    </>
  );
}
