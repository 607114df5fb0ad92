"use client";

import { Amount } from "@/components/ui/Amount";
import { cn } from "@/components/ui/cn";
import { formatDate } from "@/lib/dates";
import type { Currency } from "@/lib/money";

import type { RegisterRow } from "./api";
import { CLEARED_MARKS, CLEARED_NAMES, clearedToggleLabel } from "./logic";

export interface RegisterListProps {
  rows: RegisterRow[];
  currency: Currency;
  categoryName: (row: RegisterRow) => string;
  /** Absent for a teen: the marks show, but only adults change them. */
  onToggle?: (row: RegisterRow) => void;
  busyRowId: string | null;
}

function rowName(row: RegisterRow): string {
  return `${row.payee || "(no payee)"}, ${formatDate(row.posted_on)}`;
}

/** A card per row on phones (nothing scrolls sideways), a table from the sm breakpoint up. */
export function RegisterList({
  rows,
  currency,
  categoryName,
  onToggle,
  busyRowId,
}: RegisterListProps) {
  return (
    <>
      <ul className="flex flex-col divide-y divide-border sm:hidden" aria-label="Register">
        {rows.map((row) => (
          <li
            key={row.id}
            className="grid grid-cols-[2.75rem_minmax(0,1fr)_auto] items-center gap-x-2 py-2"
          >
            <ClearedMark row={row} onToggle={onToggle} busy={busyRowId === row.id} />
            <div className="min-w-0">
              <p className="truncate font-medium">{row.payee || "(no payee)"}</p>
              <p className="truncate text-xs text-muted">
                {formatDate(row.posted_on)} · {categoryName(row)}
              </p>
            </div>
            <div className="flex flex-col items-end">
              <Amount minor={row.amount_minor} currency={currency} className="font-medium" />
              <span className="text-xs text-muted">
                <span className="sr-only">Running balance </span>
                <Amount minor={row.running_balance_minor} currency={currency} />
              </span>
            </div>
          </li>
        ))}
      </ul>
      <table className="hidden w-full table-fixed text-sm sm:table">
        <caption className="sr-only">Register</caption>
        <colgroup>
          <col className="w-12" />
          <col className="w-28" />
          <col />
          <col className="w-40" />
          <col className="w-32" />
          <col className="w-32" />
        </colgroup>
        <thead>
          <tr className="border-b border-border text-left text-muted">
            <th scope="col" className="py-2 font-medium">
              <span className="sr-only">Cleared</span>
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              Date
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              Payee
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              Category
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Amount
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              Balance
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-b border-border last:border-0">
              <td className="py-1">
                <ClearedMark row={row} onToggle={onToggle} busy={busyRowId === row.id} />
              </td>
              <td className="py-1 pr-3 whitespace-nowrap">{formatDate(row.posted_on)}</td>
              <th scope="row" className="truncate py-1 pr-3 text-left font-medium">
                {row.payee || "(no payee)"}
              </th>
              <td className="truncate py-1 pr-3">{categoryName(row)}</td>
              <td className="py-1 pr-3 text-right">
                <Amount minor={row.amount_minor} currency={currency} />
              </td>
              <td className="py-1 text-right">
                <Amount minor={row.running_balance_minor} currency={currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ClearedMark({
  row,
  onToggle,
  busy,
}: {
  row: RegisterRow;
  onToggle?: (row: RegisterRow) => void;
  busy: boolean;
}) {
  const mark = CLEARED_MARKS[row.cleared];
  const look = cn(
    "inline-flex size-11 items-center justify-center rounded-full font-semibold",
    row.cleared === "uncleared" && "border border-dashed border-border text-muted",
    row.cleared === "cleared" && "border border-success text-success",
    row.cleared === "reconciled" && "bg-success text-card",
  );
  if (!onToggle) {
    return (
      <span
        className={look}
        role="img"
        aria-label={`${CLEARED_NAMES[row.cleared]}: ${rowName(row)}`}
      >
        {mark}
      </span>
    );
  }
  return (
    <button
      type="button"
      className={cn(look, "disabled:opacity-60")}
      aria-label={clearedToggleLabel(row.cleared, rowName(row))}
      aria-pressed={row.cleared !== "uncleared"}
      disabled={busy}
      onClick={() => onToggle(row)}
    >
      {mark}
    </button>
  );
}
