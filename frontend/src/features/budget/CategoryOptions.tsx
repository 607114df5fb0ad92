"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";
import type { CurrentHousehold } from "@/features/households/HouseholdContext";
import { formatMonth } from "@/lib/dates";

import type { BudgetLine } from "./api";
import { CarryOverspendingToggle } from "./CarryOverspendingToggle";
import { overspentMinor, targetSummary } from "./envelope";
import { MoveMoneyDialog, type MovePreset } from "./MoveMoneyDialog";
import { TargetDialog } from "./TargetDialog";

const TARGET_CLASSES = {
  none: "text-muted",
  funded: "text-success",
  underfunded: "text-warning",
} as const;

/** A category's target status, in words and colour. */
export function TargetStatus({
  line,
  currency,
}: {
  line: BudgetLine;
  currency: CurrentHousehold["currency"];
}) {
  if (!line.target) return null;
  const label = line.target.month ? formatMonth(line.target.month) : undefined;
  return (
    <p className={cn("text-xs font-medium", TARGET_CLASSES[line.target_status])}>
      {targetSummary(line, currency, label)}
    </p>
  );
}

/**
 * What can be done with one category of the month: its target, carrying overspending, moving
 * money, and covering overspending from another category. Read-only for teens.
 */
export function CategoryOptions({
  household,
  month,
  line,
  lines,
}: {
  household: CurrentHousehold;
  month: string;
  line: BudgetLine;
  lines: BudgetLine[];
}) {
  const [move, setMove] = useState<MovePreset | null>(null);
  const [editingTarget, setEditingTarget] = useState(false);
  const overspent = overspentMinor(line);

  if (!household.isAdult)
    return (
      <div className="flex flex-col gap-1">
        <TargetStatus line={line} currency={household.currency} />
        {line.carry_overspending ? (
          <span className="text-xs text-muted">Carries overspending</span>
        ) : null}
      </div>
    );
  return (
    <div className="flex flex-col gap-1">
      <TargetStatus line={line} currency={household.currency} />
      <div className="flex flex-wrap items-center gap-1">
        {overspent > 0 ? (
          <Button
            size="sm"
            variant="secondary"
            onClick={() =>
              setMove({
                fromCategoryId: null,
                toCategoryId: line.category_id,
                amountMinor: overspent,
              })
            }
          >
            Cover overspending<span className="sr-only"> of {line.name}</span>
          </Button>
        ) : null}
        <Button
          size="sm"
          variant="secondary"
          onClick={() =>
            setMove({ fromCategoryId: line.category_id, toCategoryId: null, amountMinor: 0 })
          }
        >
          Move<span className="sr-only"> money from {line.name}</span>
        </Button>
        <Button size="sm" variant="secondary" onClick={() => setEditingTarget(true)}>
          Target<span className="sr-only"> for {line.name}</span>
        </Button>
      </div>
      <CarryOverspendingToggle
        householdId={household.id}
        categoryId={line.category_id}
        categoryName={line.name}
        carryOverspending={line.carry_overspending}
      />
      <MoveMoneyDialog month={month} lines={lines} preset={move} onClose={() => setMove(null)} />
      <TargetDialog
        month={month}
        line={line}
        open={editingTarget}
        onOpenChange={setEditingTarget}
      />
    </div>
  );
}
