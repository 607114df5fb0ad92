"use client";

import type { ReactNode } from "react";

import { Button } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";

import type { Category, CategoryGroup } from "./api";

export interface CategoryActions {
  onAddCategory: (group: CategoryGroup) => void;
  onRenameGroup: (group: CategoryGroup) => void;
  onSetGroupHidden: (group: CategoryGroup, hidden: boolean) => void;
  onDeleteGroup: (group: CategoryGroup) => void;
  onEditCategory: (category: Category) => void;
  onSetCategoryHidden: (category: Category, hidden: boolean) => void;
  onMergeCategory: (category: Category) => void;
  /** The group or category whose hide/unhide request is running. */
  busyId: string | null;
}

/** A group with its categories in order; hidden ones greyed. `actions` is null for teens. */
export function CategoryGroupCard({
  group,
  categories,
  actions,
}: {
  group: CategoryGroup;
  categories: Category[];
  actions: CategoryActions | null;
}) {
  const headingId = `group-${group.id}`;
  return (
    <section
      aria-labelledby={headingId}
      className={cn(
        "rounded-lg border border-border bg-card p-4 shadow-sm",
        group.hidden && "border-dashed",
      )}
    >
      <div className="mb-1 flex flex-wrap items-center justify-between gap-x-2">
        <h2
          id={headingId}
          className={cn(
            "flex min-h-11 min-w-0 flex-wrap items-center gap-2 text-base font-semibold",
            group.hidden && "text-muted",
          )}
        >
          <span className="wrap-anywhere">{group.name}</span>
          {group.hidden ? <Badge>Hidden group</Badge> : null}
        </h2>
        {actions ? (
          <div className="flex flex-wrap">
            <Button
              variant="ghost"
              aria-label={`Rename group ${group.name}`}
              onClick={() => actions.onRenameGroup(group)}
            >
              Rename
            </Button>
            <Button
              variant="ghost"
              aria-label={`${group.hidden ? "Unhide" : "Hide"} group ${group.name}`}
              busy={actions.busyId === group.id}
              onClick={() => actions.onSetGroupHidden(group, !group.hidden)}
            >
              {group.hidden ? "Unhide" : "Hide"}
            </Button>
            <Button
              variant="ghost"
              aria-label={`Delete group ${group.name}`}
              onClick={() => actions.onDeleteGroup(group)}
            >
              Delete
            </Button>
          </div>
        ) : null}
      </div>
      {categories.length === 0 ? (
        <p className="py-2 text-sm text-muted">
          No categories in this group{actions ? " yet" : ""}.
        </p>
      ) : (
        <ul className="divide-y divide-border" aria-label={`Categories in ${group.name}`}>
          {categories.map((category) => (
            <li key={category.id} className="flex items-center justify-between gap-2 py-1">
              <div
                className={cn(
                  "flex min-h-11 min-w-0 flex-wrap items-center gap-x-2 gap-y-1 text-sm",
                  (category.hidden || group.hidden) && "text-muted",
                )}
              >
                <span className="font-medium wrap-anywhere">{category.name}</span>
                {category.is_income ? <Badge>Income</Badge> : null}
                {category.carry_overspending ? <Badge>Carries overspending</Badge> : null}
                {category.hidden ? <Badge>Hidden</Badge> : null}
              </div>
              {actions ? (
                <div className="flex shrink-0">
                  <Button
                    variant="ghost"
                    aria-label={`Edit ${category.name}`}
                    onClick={() => actions.onEditCategory(category)}
                  >
                    Edit
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={`${category.hidden ? "Unhide" : "Hide"} ${category.name}`}

                    busy={actions.busyId === category.id}
                    onClick={() => actions.onSetCategoryHidden(category, !category.hidden)}
                  >
                    {category.hidden ? "Unhide" : "Hide"}
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={`Merge ${category.name} into another category`}
                    onClick={() => actions.onMergeCategory(category)}
                  >
                    Merge…
                  </Button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {actions ? (
        <Button
          variant="secondary"
          className="mt-2"
          aria-label={`Add category to ${group.name}`}
          onClick={() => actions.onAddCategory(group)}
        >
          + Add category
        </Button>
      ) : null}
    </section>
  );
}

function Badge({ children }: { children: ReactNode }) {
  return (
    <span className="rounded-full border border-border bg-bg px-2 py-0.5 text-xs font-normal text-muted">
      {children}
    </span>
  );
}
