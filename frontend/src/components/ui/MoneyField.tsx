"use client";

import type { Currency } from "@/lib/money";

import { TextField, type TextFieldProps } from "./Field";

export interface MoneyFieldProps extends Omit<
  TextFieldProps,
  "type" | "inputMode" | "value" | "onChange"
> {
  currency: Currency;
  /** The text as typed; parse it with parseAmount when the form is submitted. */
  value: string;
  onValueChange: (text: string) => void;
}

/**
 * An amount input that keeps exactly what the person typed ("12,50", "-1.234,5"); the form turns
 * it into minor units with `parseAmount` and shows its error here when it cannot.
 */
export function MoneyField({ currency, value, onValueChange, hint, ...rest }: MoneyFieldProps) {
  return (
    <TextField
      type="text"
      inputMode="decimal"
      autoComplete="off"
      value={value}
      onChange={(event) => onValueChange(event.target.value)}
      hint={hint ?? `${currency.code}`}
      className="tabular text-right"
      {...rest}
    />
  );
}
