"use client";

import { Button } from "@/components/ui/Button";
import { SelectField } from "@/components/ui/Field";
import { MoneyField } from "@/components/ui/MoneyField";
import type { CategoryGroup } from "@/features/categories/api";
import { amountInputValue, formatMoney, type Currency } from "@/lib/money";

import { CategoryOptions } from "./CategoryOptions";
import { newSplitLine, parseLineAmounts, parseMagnitude, type SplitLineDraft } from "./form";
import { amountThatBalances, MAX_SPLIT_LINES, remainingToSplit } from "./splits";

interface Props {
  lines: SplitLineDraft[];
  onChange: (lines: SplitLineDraft[]) => void;
  totalText: string;
  currency: Currency;
  groups: CategoryGroup[];
  errorFor: (field: string) => string | undefined;
}

/** Split lines with the amount still to assign, updated as the person types. */
export function SplitEditor({ lines, onChange, totalText, currency, groups, errorFor }: Props) {
  const total = parseMagnitude(totalText, currency);
  const amounts = parseLineAmounts(lines, currency);
  const remaining = total.ok
    ? remainingToSplit(
        total.minor,
        amounts.filter((amount): amount is number => amount !== null),
      )
    : null;
  const update = (index: number, change: Partial<SplitLineDraft>) =>
    onChange(lines.map((line, at) => (at === index ? { ...line, ...change } : line)));

  return (
    <fieldset className="flex flex-col gap-3 rounded-md border border-border p-3">
      <legend className="px-1 text-sm font-medium">Split lines</legend>
      {lines.map((line, index) => {
        const number = index + 1;
        return (
          <div
            key={line.key}
            className="grid grid-cols-[minmax(0,1fr)_auto_auto] gap-x-1 gap-y-2 sm:grid-cols-[minmax(0,1fr)_8rem_auto_auto]"
          >
            <SelectField
              label={`Category, line ${number}`}
              containerClassName="col-span-3 sm:col-span-1"
              value={line.categoryId}
              onChange={(event) => update(index, { categoryId: event.target.value })}
              error={errorFor(`splits.${index}.category_id`)}
            >
              <CategoryOptions groups={groups} keepId={line.categoryId} />
            </SelectField>
            <MoneyField
              label={`Amount, line ${number}`}
              currency={currency}
              hint={false}
              value={line.amountText}
              onValueChange={(amountText) => update(index, { amountText })}
              error={errorFor(`splits.${index}.amount_minor`)}
            />
            <Button
              variant="ghost"
              className="mt-6 self-start"
              disabled={!total.ok}
              onClick={() =>
                total.ok &&
                update(index, {
                  amountText: amountInputValue(
                    amountThatBalances(total.minor, amounts, index),
                    currency,
                  ),
                })
              }
            >
              Fill<span className="sr-only"> line {number} with the remaining amount</span>
            </Button>
            <Button
              variant="ghost"
              className="mt-6 self-start"
              aria-label={`Remove line ${number}`}
              disabled={lines.length <= 2}
              onClick={() => onChange(lines.filter((_, at) => at !== index))}
            >
              ✕
            </Button>
          </div>
        );
      })}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Button
          variant="secondary"
          disabled={lines.length >= MAX_SPLIT_LINES}
          onClick={() => onChange([...lines, newSplitLine()])}
        >
          Add line
        </Button>
        <p
          aria-live="polite"
          data-testid="split-remaining"
          className={remaining === 0 ? "text-sm text-success" : "text-sm font-medium text-warning"}
        >
          {remaining === null
            ? "Enter the total first"
            : remaining === 0
              ? "Fully assigned"
              : remaining > 0
                ? `Left to assign: ${formatMoney(remaining, currency)}`
                : `Over by ${formatMoney(-remaining, currency)}`}
        </p>
      </div>
      {errorFor("splits") ? (
        <p role="alert" className="text-sm text-danger">
          {errorFor("splits")}
        </p>
      ) : null}
    </fieldset>
  );
}
