"use client";

import { useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { useHousehold } from "@/features/households/HouseholdContext";

import {
  useCategoryGroups,
  useUpdateCategory,
  useUpdateCategoryGroup,
  type Category,
  type CategoryGroup,
} from "./api";
import { CategoryFormDialog, type CategoryFormTarget } from "./CategoryFormDialog";
import { CategoryGroupCard, type CategoryActions } from "./CategoryGroupCard";
import { DeleteGroupDialog, GroupFormDialog } from "./GroupDialogs";
import { hiddenCount, visibleGroups } from "./logic";
import { MergeCategoryDialog } from "./MergeCategoryDialog";

type GroupFormTarget = { group?: CategoryGroup };

/** Category groups and their categories; adults create, rename, move, hide, merge and delete. */
export function CategoriesPage() {
  const household = useHousehold();
  const query = useCategoryGroups(household.id);
  const updateGroup = useUpdateCategoryGroup(household.id);
  const updateCategory = useUpdateCategory(household.id);
  const [showHidden, setShowHidden] = useState(false);
  const [groupForm, setGroupForm] = useState<GroupFormTarget | null>(null);
  const [deletingGroup, setDeletingGroup] = useState<CategoryGroup | null>(null);
  const [categoryForm, setCategoryForm] = useState<CategoryFormTarget | null>(null);
  const [merging, setMerging] = useState<Category | null>(null);

  const groups = query.data ?? [];
  const shown = visibleGroups(groups, showHidden);
  const hidden = hiddenCount(groups);
  const toggleError = updateGroup.error ?? updateCategory.error;

  const busyId = updateGroup.isPending
    ? (updateGroup.variables?.groupId ?? null)
    : updateCategory.isPending
      ? (updateCategory.variables?.categoryId ?? null)
      : null;
  const actions: CategoryActions | null = household.isAdult
    ? {
        onAddCategory: (group) => setCategoryForm({ mode: "create", groupId: group.id }),
        onRenameGroup: (group) => setGroupForm({ group }),
        onSetGroupHidden: (group, hide) => {
          updateCategory.reset();
          updateGroup.mutate({ groupId: group.id, body: { hidden: hide } });
        },
        onDeleteGroup: setDeletingGroup,
        onEditCategory: (category) => setCategoryForm({ mode: "edit", category }),
        onSetCategoryHidden: (category, hide) => {
          updateGroup.reset();
          updateCategory.mutate({ categoryId: category.id, body: { hidden: hide } });
        },
        onMergeCategory: setMerging,
        busyId,
      }
    : null;

  return (
    <>
      <PageHeader
        title="Categories"
        actions={
          household.isAdult ? <Button onClick={() => setGroupForm({})}>New group</Button> : null
        }
      >
        <p className="text-sm text-muted">
          {household.isAdult
            ? "Groups and categories appear in this order in transactions and the budget."
            : "The household’s categories. Ask a parent to change them."}
        </p>
      </PageHeader>

      {query.isPending ? <Spinner label="Loading categories" /> : null}
      {query.isError ? <Alert>{query.error.message}</Alert> : null}
      {toggleError ? <Alert className="mb-4">{toggleError.message}</Alert> : null}

      {query.isSuccess ? (
        <div className="flex flex-col gap-4">
          {hidden > 0 ? (
            <label className="flex min-h-11 items-center gap-3 self-start text-sm">
              <input
                type="checkbox"
                className="size-5"
                checked={showHidden}
                onChange={(event) => setShowHidden(event.target.checked)}
              />
              Show hidden ({hidden})
            </label>
          ) : null}
          {shown.length === 0 ? (
            <EmptyState title="No categories yet">
              {household.isAdult ? "Create a group, then add categories to it." : null}
            </EmptyState>
          ) : (
            shown.map((group) => (
              <CategoryGroupCard
                key={group.id}
                group={group}
                categories={group.categories}
                actions={actions}
              />
            ))
          )}
        </div>
      ) : null}

      {household.isAdult ? (
        <>
          <GroupFormDialog
            open={groupForm !== null}
            group={groupForm?.group}
            onClose={() => setGroupForm(null)}
          />
          <DeleteGroupDialog group={deletingGroup} onClose={() => setDeletingGroup(null)} />
          <CategoryFormDialog
            target={categoryForm}
            groups={groups}
            onClose={() => setCategoryForm(null)}
          />
          <MergeCategoryDialog source={merging} groups={groups} onClose={() => setMerging(null)} />
        </>
      ) : null}
    </>
  );
}
