"use client";

import { useEffect } from "react";

import { Amount } from "@/components/ui/Amount";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatDate } from "@/lib/dates";

import { useApplyRule, type Rule, type RuleApplyResult } from "./api";

/** "Apply to existing": the dry run's count (and some of the rows) first, then the real thing. */
export function ApplyRuleDialog({
  rule,
  onClose,
}: {
  rule: Rule | null;
  onClose: (message?: string) => void;
}) {
  return (
    <Dialog
      open={rule !== null}
      onOpenChange={(open) => !open && onClose()}
      title={rule ? `Apply “${rule.name}” to existing transactions` : "Apply rule"}
    >
      {rule ? <ApplyRule key={rule.id} rule={rule} onClose={onClose} /> : null}
    </Dialog>
  );
}

function plural(count: number): string {
  return count === 1 ? "1 transaction" : `${count} transactions`;
}

function ApplyRule({ rule, onClose }: { rule: Rule; onClose: (message?: string) => void }) {
  const household = useHousehold();
  const preview = useApplyRule(household.id);
  const apply = useApplyRule(household.id);
  const { mutate } = preview;

  useEffect(() => {
    mutate({ ruleId: rule.id, dryRun: true });
  }, [mutate, rule.id]);

  async function confirm() {
    try {
      const done = await apply.mutateAsync({ ruleId: rule.id, dryRun: false });
      onClose(`“${rule.name}” changed ${plural(done.changed)}.`);
    } catch {
      // Shown below.
    }
  }

  const result: RuleApplyResult | undefined = preview.data;
  return (
    <div className="flex flex-col gap-4">
      <FormError error={preview.error ?? apply.error} />
      {preview.isPending ? <Spinner label="Counting matching transactions" /> : null}
      {result ? (
        <>
          <p aria-live="polite" data-testid="apply-preview">
            {result.changed === 0
              ? `Nothing to change: ${plural(result.matched)} match, and already look like this.`
              : `This would change ${plural(result.changed)} (of ${plural(result.matched)} that match).`}
          </p>
          {result.sample.length > 0 ? (
            <ul className="max-h-64 divide-y divide-border overflow-y-auto text-sm">
              {result.sample.map((change) => (
                <li key={change.transaction_id} className="flex justify-between gap-2 py-1.5">
                  <span className="min-w-0 truncate">
                    {formatDate(change.posted_on)} · {change.payee || "No payee"}
                    {change.new_payee ? ` → ${change.new_payee}` : ""}
                  </span>
                  <Amount minor={change.amount_minor} currency={household.currency} />
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
      <DialogActions>
        <Button variant="secondary" onClick={() => onClose()}>
          Cancel
        </Button>
        <Button
          busy={apply.isPending}
          disabled={!result || result.changed === 0}
          onClick={() => void confirm()}
        >
          {result && result.changed > 0 ? `Apply to ${plural(result.changed)}` : "Apply"}
        </Button>
      </DialogActions>
    </div>
  );
}
