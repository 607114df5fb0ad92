"use client";

import { useState, type FormEvent } from "react";

import { Amount } from "@/components/ui/Amount";
import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import { todayIso } from "@/lib/dates";
import { parseAmount, type Currency } from "@/lib/money";

import { useReconcile, useReconcilePreview } from "./api";
import { reconcileStep } from "./logic";

/**
 * Enter the bank's balance, see the difference against the cleared balance as you type, then
 * finish (only when they match) or book the difference as an adjustment and finish.
 */
export function ReconcileDialog({
  householdId,
  accountId,
  currency,
  open,
  onOpenChange,
  onReconciled,
}: {
  householdId: string;
  accountId: string;
  currency: Currency;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onReconciled: (message: string) => void;
}) {
  const [balanceText, setBalanceText] = useState("");
  const [statementOn, setStatementOn] = useState(() => todayIso());
  const parsed = balanceText.trim() ? parseAmount(balanceText, currency) : null;
  const statement =
    parsed?.ok && statementOn ? { balanceMinor: parsed.minor, on: statementOn } : null;
  const preview = useReconcilePreview(householdId, accountId, open ? statement : null);
  const reconcile = useReconcile(householdId, accountId);
  // A preview of an older balance (kept while the new one loads) must not enable Finish.
  const current = statement && preview.data && !preview.isPlaceholderData ? preview.data : null;
  const step = reconcileStep(current?.difference_minor);

  const close = (openNow: boolean) => {
    if (!openNow) {
      setBalanceText("");
      reconcile.reset();
    }
    onOpenChange(openNow);
  };

  async function finish(createAdjustment: boolean) {
    if (!statement) return;
    const done = await reconcile.mutateAsync({
      statement_balance_minor: statement.balanceMinor,
      statement_on: statement.on,
      create_adjustment: createAdjustment,
    });
    close(false);
    onReconciled(
      done.adjustment_minor === 0
        ? `Reconciled: ${done.reconciled_count} transactions.`
        : `Reconciled with an adjustment: ${done.reconciled_count} transactions.`,
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (step.kind === "balanced") void finish(false).catch(() => undefined);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title="Reconcile"
      description="Check the cleared transactions against your bank statement."
    >
      <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
        <MoneyField
          label="Bank balance"
          currency={currency}
          value={balanceText}
          onValueChange={setBalanceText}
          error={parsed && !parsed.ok ? parsed.error : undefined}
        />
        <TextField
          label="Statement date"
          type="date"
          value={statementOn}
          onChange={(event) => setStatementOn(event.target.value)}
          required
        />
        {current ? (
          <dl className="grid grid-cols-2 gap-2 text-sm" aria-live="polite">
            <dt className="text-muted">Cleared balance</dt>
            <dd className="text-right">
              <Amount minor={current.cleared_balance_minor} currency={currency} />
            </dd>
            <dt className="font-medium">Difference</dt>
            <dd className="text-right font-semibold" data-testid="reconcile-difference">
              <Amount minor={current.difference_minor} currency={currency} />
            </dd>
          </dl>
        ) : null}
        {step.kind === "difference" ? (
          <p className="text-sm text-muted">
            Mark the missing transactions cleared, or add an adjustment for the difference.
          </p>
        ) : null}
        <FormError error={reconcile.error ?? preview.error} />
        <DialogActions>
          <Button variant="secondary" onClick={() => close(false)}>
            Cancel
          </Button>
          {step.kind === "difference" ? (
            <Button
              variant="secondary"
              busy={reconcile.isPending && reconcile.variables.create_adjustment === true}
              onClick={() => void finish(true).catch(() => undefined)}
            >
              Add adjustment and finish
            </Button>
          ) : null}
          <Button
            type="submit"
            disabled={step.kind !== "balanced"}
            busy={reconcile.isPending && reconcile.variables.create_adjustment === false}
          >
            Finish
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
