"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { addMonths, formatMonth } from "@/lib/dates";

import { useCopyPreviousMonth } from "./api";
import { copyResultMessage } from "./assign";

/**
 * Copies last month's amounts into the categories that have none this month. When this month
 * already has amounts it asks first, and says that those amounts are kept.
 */
export function CopyLastMonth({
  householdId,
  month,
  monthHasAssignments,
  onCopied,
}: {
  householdId: string;
  month: string;
  monthHasAssignments: boolean;
  onCopied: (message: string) => void;
}) {
  const copy = useCopyPreviousMonth(householdId, month);
  const [confirming, setConfirming] = useState(false);
  const previousLabel = formatMonth(addMonths(month, -1));

  function run() {
    copy.mutate(undefined, {
      onSuccess: (result) => {
        setConfirming(false);
        onCopied(copyResultMessage(result.copied_count, previousLabel));
      },
    });
  }

  return (
    <>
      <Button
        variant="secondary"
        busy={copy.isPending && !confirming}
        onClick={() => (monthHasAssignments ? setConfirming(true) : run())}
      >
        Copy last month
      </Button>
      {!confirming && copy.isError ? <FormError error={copy.error} /> : null}
      <Dialog
        open={confirming}
        onOpenChange={(open) => {
          setConfirming(open);
          if (!open) copy.reset();
        }}
        title="Copy last month's budget?"
        description={`${formatMonth(month)} already has amounts. Copying fills only the categories with no amount yet from ${previousLabel}; amounts already set (even zero) are kept.`}
      >
        <div className="flex flex-col gap-3">
          <FormError error={copy.error} />
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button busy={copy.isPending} onClick={run}>
              Copy amounts
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
