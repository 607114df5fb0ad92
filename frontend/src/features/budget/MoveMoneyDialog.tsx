"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { SelectField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import { useHousehold } from "@/features/households/HouseholdContext";
import { amountInputValue, formatMoney, parseAmount } from "@/lib/money";

import { useMoveMoney, type BudgetLine } from "./api";
import { moveSources } from "./envelope";

/** The select value that stands for the money to assign (a null category id in the API). */
const TO_ASSIGN = "";

export interface MovePreset {
  fromCategoryId: string | null;
  toCategoryId: string | null;
  amountMinor: number;
}

/**
 * Move available money from one category (or the money to assign) to another in one step.
 * "Cover overspending" opens it with the overspent category as the destination, the amount
 * filled in, and the category holding the most money as the source.
 */
export function MoveMoneyDialog({
  month,
  lines,
  preset,
  onClose,
}: {
  month: string;
  lines: BudgetLine[];
  preset: MovePreset | null;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={preset !== null}
      onOpenChange={(open) => (open ? null : onClose())}
      title="Move money"
      description="Takes the amount from one category's available money and gives it to another."
    >
      {preset ? <MoveForm month={month} lines={lines} preset={preset} onDone={onClose} /> : null}
    </Dialog>
  );
}

function MoveForm({
  month,
  lines,
  preset,
  onDone,
}: {
  month: string;
  lines: BudgetLine[];
  preset: MovePreset;
  onDone: () => void;
}) {
  const household = useHousehold();
  const currency = household.currency;
  const move = useMoveMoney(household.id, month);
  const [to, setTo] = useState(preset.toCategoryId ?? TO_ASSIGN);
  const [from, setFrom] = useState(
    () => preset.fromCategoryId ?? moveSources(lines, to)[0]?.category_id ?? TO_ASSIGN,
  );
  const [amount, setAmount] = useState(() =>
    preset.amountMinor > 0 ? amountInputValue(preset.amountMinor, currency) : "",
  );
  const [amountError, setAmountError] = useState<string | undefined>();
  const [sameError, setSameError] = useState<string | undefined>();

  const option = (line: BudgetLine) => (
    <option key={line.category_id} value={line.category_id}>
      {line.name} ({formatMoney(line.available_minor, currency)} available)
    </option>
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseAmount(amount, currency);
    const amountMinor = parsed.ok ? parsed.minor : 0;
    setAmountError(
      !parsed.ok ? parsed.error : amountMinor <= 0 ? "Enter an amount above zero" : undefined,
    );
    setSameError(from === to ? "Choose two different places" : undefined);
    if (!parsed.ok || amountMinor <= 0 || from === to) return;
    move.mutate(
      {
        from_category_id: from === TO_ASSIGN ? null : from,
        to_category_id: to === TO_ASSIGN ? null : to,
        amount_minor: amountMinor,
      },
      { onSuccess: onDone },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormError error={move.error} />
      <SelectField
        label="From"
        value={from}
        onChange={(event) => setFrom(event.target.value)}
        error={sameError}
      >
        <option value={TO_ASSIGN}>Money to assign</option>
        {moveSources(lines, to).map(option)}
        {lines.filter((line) => line.available_minor <= 0 && line.category_id !== to).map(option)}
      </SelectField>
      <SelectField label="To" value={to} onChange={(event) => setTo(event.target.value)}>
        <option value={TO_ASSIGN}>Money to assign</option>
        {lines.map(option)}
      </SelectField>
      <MoneyField
        label="Amount"
        currency={currency}
        value={amount}
        onValueChange={setAmount}
        error={amountError}
        required
      />
      <DialogActions>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={move.isPending}>
          Move
        </Button>
      </DialogActions>
    </form>
  );
}
