"use client";

import { useEffect, useEffectEvent, useState } from "react";

import { Button } from "@/components/ui/Button";
import { SelectField, TextField } from "@/components/ui/Field";
import type { Account } from "@/features/accounts/api";
import type { CategoryGroup } from "@/features/categories/api";
import { addMonths, currentMonth, formatMonth } from "@/lib/dates";

import { DateRangeFields } from "./DateRangeFields";
import {
  ALL_MONTHS,
  hasDateRange,
  MAX_SEARCH_LENGTH,
  UNCATEGORIZED,
  type TransactionFilters,
} from "./filters";

const SEARCH_DEBOUNCE_MS = 300;

interface Props {
  filters: TransactionFilters;
  onChange: (change: Partial<TransactionFilters>, options?: { replace?: boolean }) => void;
  accounts: Account[];
  groups: CategoryGroup[];
}

export function TransactionFiltersBar({ filters, onChange, accounts, groups }: Props) {
  const allMonths = filters.month === ALL_MONTHS;
  const ranged = hasDateRange(filters);
  // Picking a month leaves the date range.
  const noRange = { from: null, to: null };
  return (
    <div className="mb-3 flex flex-col gap-3 lg:flex-row lg:flex-wrap lg:items-end">
      <div role="group" aria-label="Month" className="flex items-center gap-1">
        <Button
          variant="secondary"
          aria-label="Previous month"
          disabled={allMonths && !ranged}
          onClick={() => onChange({ ...noRange, month: addMonths(monthShown(filters), -1) })}
        >
          ‹
        </Button>
        <span className="min-w-36 text-center font-medium" aria-live="polite">
          {ranged ? "Chosen dates" : allMonths ? "All months" : formatMonth(filters.month)}
        </span>
        <Button
          variant="secondary"
          aria-label="Next month"
          disabled={allMonths && !ranged}
          onClick={() => onChange({ ...noRange, month: addMonths(monthShown(filters), 1) })}
        >
          ›
        </Button>
        <Button
          variant="ghost"
          aria-pressed={allMonths && !ranged}
          onClick={() =>
            onChange({ ...noRange, month: allMonths && !ranged ? currentMonth() : ALL_MONTHS })
          }
        >
          {allMonths && !ranged ? "This month" : "All months"}
        </Button>
      </div>
      <div className="grid grid-cols-2 gap-x-2 gap-y-3 sm:grid-cols-3 sm:gap-x-3 lg:flex-1">
        <SelectField
          label="Account"
          value={filters.accountId ?? ""}
          onChange={(event) => onChange({ accountId: event.target.value || null })}
        >
          <option value="">All accounts</option>
          {accounts.map((account) => (
            <option key={account.id} value={account.id}>
              {account.name}
              {account.archived_at ? " (archived)" : ""}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Category"
          value={filters.category ?? ""}
          onChange={(event) => onChange({ category: event.target.value || null })}
        >
          <option value="">All categories</option>
          <option value={UNCATEGORIZED}>Uncategorized</option>
          {groups.map((group) => (
            <optgroup key={group.id} label={group.name}>
              {(group.categories ?? []).map((category) => (
                <option key={category.id} value={category.id}>
                  {category.name}
                </option>
              ))}
            </optgroup>
          ))}
        </SelectField>
        <SearchField
          value={filters.search}
          onSearch={(search) => onChange({ search }, { replace: true })}
        />
        <DateRangeFields from={filters.from} to={filters.to} onChange={onChange} />
      </div>
    </div>
  );
}

/** The month the arrows step from: the range's first month while dates are chosen. */
function monthShown(filters: TransactionFilters): string {
  const start = filters.from ?? filters.to;
  if (start) return start.slice(0, 7);
  return filters.month === ALL_MONTHS ? currentMonth() : filters.month;
}

/** Keeps its own text while typing and tells the page only after a pause. */
function SearchField({ value, onSearch }: { value: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState(value);
  const [urlValue, setUrlValue] = useState(value);
  // Back/forward or "clear filters" changed the URL: show that, unless it is what was typed.
  if (value !== urlValue) {
    setUrlValue(value);
    if (value !== text.trim()) setText(value);
  }
  const search = useEffectEvent((typed: string) => onSearch(typed));
  useEffect(() => {
    const typed = text.trim();
    if (typed === value) return;
    const timer = setTimeout(() => search(typed), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <TextField
      label="Search"
      containerClassName="col-span-2 sm:col-span-1"
      type="search"
      value={text}
      maxLength={MAX_SEARCH_LENGTH}
      placeholder="Payee, memo, category, 12.50"
      onChange={(event) => setText(event.target.value)}
    />
  );
}
