"use client";

import { useSyncExternalStore } from "react";

import { SelectField, type SelectFieldProps } from "@/components/ui/Field";

import {
  COMMON_CURRENCIES,
  currencyLabel,
  type CurrencyCode,
  DEFAULT_CURRENCY,
  guessCurrency,
} from "./currencies";

const noSubscription = () => () => {};

/**
 * The browser's likely currency. The server renders the neutral default and the browser its own
 * guess after hydration, so the two never disagree about the first paint.
 */
export function useGuessedCurrency(): CurrencyCode {
  return useSyncExternalStore(
    noSubscription,
    () => guessCurrency(navigator.languages.length ? navigator.languages : [navigator.language]),
    () => DEFAULT_CURRENCY,
  );
}

/** A select of the common currencies; `value` is always offered even when it is not common. */
export function CurrencySelect({
  value,
  onValueChange,
  ...rest
}: Omit<SelectFieldProps, "value" | "onChange" | "children"> & {
  value: CurrencyCode;
  onValueChange: (code: CurrencyCode) => void;
}) {
  const codes: readonly CurrencyCode[] = (COMMON_CURRENCIES as readonly CurrencyCode[]).includes(
    value,
  )
    ? COMMON_CURRENCIES
    : [value, ...COMMON_CURRENCIES];
  return (
    <SelectField
      value={value}
      onChange={(event) => onValueChange(event.target.value as CurrencyCode)}
      {...rest}
    >
      {codes.map((code) => (
        <option key={code} value={code}>
          {currencyLabel(code)}
        </option>
      ))}
    </SelectField>
  );
}
