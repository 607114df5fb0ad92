"use client";

import { useEffect, useState } from "react";

import { cn } from "@/components/ui/cn";
import type { CategoryGroup } from "@/features/categories/api";

import { CategoryOptions } from "./CategoryOptions";

function categoryName(groups: CategoryGroup[], id: string): string {
  for (const group of groups) {
    const found = (group.categories ?? []).find((category) => category.id === id);
    if (found) return found.name;
  }
  return "…";
}

/** Fills in a row's options once the browser is idle (Safari has no requestIdleCallback). */
function whenIdle(callback: () => void): () => void {
  if (typeof window.requestIdleCallback === "function") {
    const handle = window.requestIdleCallback(callback, { timeout: 1000 });
    return () => window.cancelIdleCallback(handle);
  }
  const timer = window.setTimeout(callback, 200);
  return () => window.clearTimeout(timer);
}

/**
 * A row's category picker. A row scrolled into view first renders only the current option and
 * adds the full list when the browser is idle, so fast scrolling does not build thousands of
 * <option>s per frame. Touch, focus or hover fill it at once, before the picker can open.
 */
export function RowCategorySelect({
  label,
  value,
  groups,
  saving,
  onChange,
}: {
  label: string;
  value: string | null;
  groups: CategoryGroup[];
  saving: boolean;
  onChange: (categoryId: string | null) => void;
}) {
  const [expanded, setExpanded] = useState(false);
  const expand = () => setExpanded(true);
  useEffect(() => whenIdle(() => setExpanded(true)), []);
  return (
    <select
      aria-label={label}
      value={value ?? ""}
      disabled={saving}
      aria-busy={saving || undefined}
      onFocus={expand}
      onPointerDown={expand}
      onPointerEnter={expand}
      onChange={(event) => onChange(event.target.value || null)}
      className={cn(
        "block min-h-11 w-full max-w-32 truncate rounded-md border border-border bg-card px-2 text-sm md:max-w-none",
        !value && "text-muted",
        saving && "opacity-60",
      )}
    >
      {expanded ? (
        <CategoryOptions groups={groups} keepId={value} />
      ) : (
        <option value={value ?? ""}>{value ? categoryName(groups, value) : "Uncategorized"}</option>
      )}
    </select>
  );
}
