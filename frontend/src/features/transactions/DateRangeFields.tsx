"use client";

import { useState } from "react";

import { TextField } from "@/components/ui/Field";

import { isValidRange, type TransactionFilters } from "./filters";

interface Props {
  from: string | null;
  to: string | null;
  onChange: (change: Partial<TransactionFilters>) => void;
}

/**
 * From and To (both inclusive). What is typed stays here until it is a range the API accepts;
 * only then does it go to the URL, so a "to" before "from" is shown at the field, not sent.
 */
export function DateRangeFields({ from, to, onChange }: Props) {
  const [typed, setTyped] = useState({ from: from ?? "", to: to ?? "" });
  const [urlValue, setUrlValue] = useState({ from, to });
  // Back/forward, a month arrow or "clear filters" changed the URL: show that.
  if (urlValue.from !== from || urlValue.to !== to) {
    setUrlValue({ from, to });
    setTyped({ from: from ?? "", to: to ?? "" });
  }
  const next = { from: typed.from || null, to: typed.to || null };
  const backwards = next.from !== null && next.to !== null && next.from > next.to;

  function change(part: "from" | "to", value: string) {
    const wanted = { ...typed, [part]: value };
    setTyped(wanted);
    const range = { from: wanted.from || null, to: wanted.to || null };
    if (isValidRange(range.from, range.to)) onChange(range);
  }

  return (
    <>
      <TextField
        label="From"
        type="date"
        value={typed.from}
        max={typed.to || undefined}
        onChange={(event) => change("from", event.target.value)}
      />
      <TextField
        label="To"
        type="date"
        value={typed.to}
        min={typed.from || undefined}
        error={backwards ? "Choose a day on or after From" : undefined}
        onChange={(event) => change("to", event.target.value)}
      />
    </>
  );
}
