"use client";

import { useId } from "react";

import { cn } from "@/components/ui/cn";

import type { Direction } from "./form";

const OPTIONS: Array<{ value: Direction; label: string }> = [
  { value: "expense", label: "Expense" },
  { value: "income", label: "Income" },
];

/** Money out or in: the amount itself is typed as a positive number. */
export function DirectionToggle({
  value,
  onChange,
  disabled,
}: {
  value: Direction;
  onChange: (value: Direction) => void;
  disabled?: boolean;
}) {
  const name = useId();
  return (
    <fieldset
      className={cn("flex flex-col gap-1", disabled && "cursor-not-allowed opacity-60")}
      disabled={disabled}
    >
      <legend className="mb-1 text-sm font-medium">Type</legend>
      <div className="grid grid-cols-2 overflow-hidden rounded-md border border-border">
        {OPTIONS.map((option) => (
          <label
            key={option.value}
            className={cn(
              "flex min-h-11 items-center justify-center text-sm font-medium has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-focus",
              !disabled && "cursor-pointer",
              value === option.value
                ? option.value === "expense"
                  ? "bg-danger-bg text-danger"
                  : "bg-success-bg text-success"
                : "bg-card text-muted",
            )}
          >
            <input
              type="radio"
              className="sr-only"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
