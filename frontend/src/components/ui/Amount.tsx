"use client";

import { formatMoney, type Currency } from "@/lib/money";

import { cn } from "./cn";

/** An amount formatted for the browser's locale; negative amounts in the danger colour. */
export function Amount({
  minor,
  currency,
  className,
  signDisplay,
}: {
  minor: number;
  currency: Currency;
  className?: string;
  signDisplay?: "auto" | "always" | "exceptZero";
}) {
  return (
    <span className={cn("tabular whitespace-nowrap", minor < 0 && "text-danger", className)}>
      {formatMoney(minor, currency, signDisplay ? { signDisplay } : {})}
    </span>
  );
}
