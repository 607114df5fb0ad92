import { cn } from "@/components/ui/cn";

import { STATUS_BADGE_CLASSES, STATUS_LABELS, type BudgetStatus } from "./status";

/** The category's state in words, so it never depends on colour alone. */
export function StatusBadge({ status, className }: { status: BudgetStatus; className?: string }) {
  return (
    <span
      className={cn(
        "inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap",
        STATUS_BADGE_CLASSES[status],
        className,
      )}
    >
      {STATUS_LABELS[status]}
    </span>
  );
}
