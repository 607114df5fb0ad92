"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { FormError, fieldError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import { useHousehold } from "@/features/households/HouseholdContext";
import { addMonths, isMonth } from "@/lib/dates";
import { amountInputValue, parseAmount } from "@/lib/money";

import { useSetTarget, type BudgetLine } from "./api";

type Kind = "none" | "monthly" | "by_date";

/** Set, change or remove a category's target: an amount every month, or an amount by a month. */
export function TargetDialog({
  month,
  line,
  open,
  onOpenChange,
}: {
  month: string;
  line: BudgetLine;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={`Target for ${line.name}`}>
      {open ? <TargetForm month={month} line={line} onDone={() => onOpenChange(false)} /> : null}
    </Dialog>
  );
}

function TargetForm({
  month,
  line,
  onDone,
}: {
  month: string;
  line: BudgetLine;
  onDone: () => void;
}) {
  const household = useHousehold();
  const currency = household.currency;
  const save = useSetTarget(household.id, line.category_id);
  const [kind, setKind] = useState<Kind>(line.target?.kind ?? "monthly");
  const [amount, setAmount] = useState(() =>
    line.target ? amountInputValue(line.target.amount_minor, currency) : "",
  );
  const [byMonth, setByMonth] = useState(line.target?.month ?? addMonths(month, 11));
  const [errors, setErrors] = useState<{ amount?: string; month?: string }>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (kind === "none") {
      save.mutate(null, { onSuccess: onDone });
      return;
    }
    const parsed = parseAmount(amount, currency);
    const found: { amount?: string; month?: string } = {};
    if (!parsed.ok) found.amount = parsed.error;
    else if (parsed.minor <= 0) found.amount = "Enter an amount above zero";
    if (kind === "by_date" && !isMonth(byMonth)) found.month = "Choose the month to reach it by";
    setErrors(found);
    if (!parsed.ok || found.amount || found.month) return;
    save.mutate(
      {
        kind,
        amount_minor: parsed.minor,
        ...(kind === "by_date" ? { month: byMonth } : {}),
      },
      { onSuccess: onDone },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormError error={save.error} />
      <SelectField label="Target" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        <option value="monthly">An amount every month</option>
        <option value="by_date">An amount by a month</option>
        <option value="none">No target</option>
      </SelectField>
      {kind !== "none" ? (
        <MoneyField
          label="Amount"
          currency={currency}
          value={amount}
          onValueChange={setAmount}
          error={errors.amount ?? fieldError(save.error, "amount_minor")}
          required
        />
      ) : null}
      {kind === "by_date" ? (
        <TextField
          label="By the end of"
          type="month"
          value={byMonth}
          onChange={(event) => setByMonth(event.target.value)}
          error={errors.month ?? fieldError(save.error, "month")}
          hint="Each month then needs an even share of what is still missing, rounded up."
          required
        />
      ) : null}
      <DialogActions>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={save.isPending}>
          {kind === "none" ? "Remove target" : "Save target"}
        </Button>
      </DialogActions>
    </form>
  );
}
