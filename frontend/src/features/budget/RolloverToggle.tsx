"use client";

import { useState } from "react";

import { errorMessage } from "@/api/problem";
import { useUpdateCategory } from "@/features/categories/api";

/**
 * Rollover is a setting of the category (PATCH /categories/{id}), not of one month: with it on,
 * whatever is left or overspent at a month end carries into the next month.
 */
export function RolloverToggle({
  householdId,
  categoryId,
  categoryName,
  rollover,
}: {
  householdId: string;
  categoryId: string;
  categoryName: string;
  rollover: boolean;
}) {
  const update = useUpdateCategory(householdId);
  const [error, setError] = useState<string | null>(null);
  const checked =
    update.isPending && update.variables ? (update.variables.body.rollover ?? rollover) : rollover;

  return (
    <div className="flex flex-col">
      <label className="inline-flex min-h-11 cursor-pointer items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="size-5 accent-primary"
          checked={checked}
          disabled={update.isPending}
          aria-describedby={error ? `rollover-error-${categoryId}` : undefined}
          onChange={(event) => {
            setError(null);
            update.mutate(
              { categoryId, body: { rollover: event.target.checked } },
              { onError: (failure) => setError(errorMessage(failure)) },
            );
          }}
        />
        <span>
          Roll over<span className="sr-only"> {categoryName} into next month</span>
        </span>
      </label>
      {error ? (
        <p id={`rollover-error-${categoryId}`} role="alert" className="text-xs text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
