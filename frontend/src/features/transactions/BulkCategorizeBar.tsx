"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { SelectField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import type { CategoryGroup } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useBulkCategorize } from "./api";
import { CategoryOptions } from "./CategoryOptions";

const CHOOSE = "__choose__";

/** Fixed to the bottom of the screen while rows are selected, so it stays in reach on a phone. */
export function BulkCategorizeBar({
  selectedIds,
  groups,
  onDone,
  onClear,
}: {
  selectedIds: string[];
  groups: CategoryGroup[];
  onDone: (message: string) => void;
  onClear: () => void;
}) {
  const household = useHousehold();
  const bulk = useBulkCategorize(household.id);
  const [categoryId, setCategoryId] = useState(CHOOSE);
  const count = selectedIds.length;

  function apply() {
    if (categoryId === CHOOSE) return;
    bulk.mutate(
      { ids: selectedIds, categoryId: categoryId || null },
      {
        onSuccess: (updated) => {
          setCategoryId(CHOOSE);
          const noun = updated === 1 ? "transaction" : "transactions";
          onDone(`${updated.toLocaleString()} ${noun} re-categorized.`);
        },
      },
    );
  }

  return (
    <div
      role="region"
      aria-label="Bulk re-categorize"
      className="fixed inset-x-0 bottom-0 z-30 border-t border-border bg-card shadow-[0_-4px_12px_rgb(0_0_0/0.12)]"
    >
      <div className="mx-auto flex max-w-6xl flex-col gap-2 px-3 py-2 sm:flex-row sm:items-end sm:px-4">
        <p className="font-medium sm:mb-3" aria-live="polite">
          {count.toLocaleString()} selected
        </p>
        <SelectField
          label="New category"
          containerClassName="sm:w-64"
          value={categoryId}
          onChange={(event) => setCategoryId(event.target.value)}
        >
          <option value={CHOOSE} disabled>
            Choose a category…
          </option>
          <CategoryOptions groups={groups} />
        </SelectField>
        <div className="flex gap-2">
          <Button
            onClick={apply}
            busy={bulk.isPending}
            disabled={categoryId === CHOOSE}
            className="flex-1 sm:flex-none"
          >
            Apply to {count.toLocaleString()}
          </Button>
          <Button variant="secondary" onClick={onClear} className="flex-1 sm:flex-none">
            Clear selection
          </Button>
        </div>
        {bulk.error ? (
          <div className="sm:ml-auto sm:max-w-sm">
            <FormError error={bulk.error} />
          </div>
        ) : null}
      </div>
    </div>
  );
}
