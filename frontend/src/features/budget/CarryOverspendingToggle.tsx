"use client";

import { useState } from "react";

import { errorMessage } from "@/api/problem";
import { useUpdateCategory } from "@/features/categories/api";

/**
 * A setting of the category (PATCH /categories/{id}), not of one month. Money left over always
 * carries into next month; with this on, overspending carries too instead of being taken from
 * next month's money to assign.
 */
export function CarryOverspendingToggle({
  householdId,
  categoryId,
  categoryName,
  carryOverspending,
}: {
  householdId: string;
  categoryId: string;
  categoryName: string;
  carryOverspending: boolean;
}) {
  const update = useUpdateCategory(householdId);
  const [error, setError] = useState<string | null>(null);
  const checked =
    update.isPending && update.variables
      ? (update.variables.body.carry_overspending ?? carryOverspending)
      : carryOverspending;

  return (
    <div className="flex flex-col">
      <label className="inline-flex min-h-11 cursor-pointer items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="size-5 accent-primary"
          checked={checked}
          disabled={update.isPending}
          aria-describedby={error ? `carry-error-${categoryId}` : undefined}
          onChange={(event) => {
            setError(null);
            update.mutate(
              { categoryId, body: { carry_overspending: event.target.checked } },
              { onError: (failure) => setError(errorMessage(failure)) },
            );
          }}
        />
        <span>
          Carry overspending<span className="sr-only"> of {categoryName} into next month</span>
        </span>
      </label>
      {error ? (
        <p id={`carry-error-${categoryId}`} role="alert" className="text-xs text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
