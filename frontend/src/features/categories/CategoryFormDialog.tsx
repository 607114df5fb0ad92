"use client";

import { useId, useState, type FormEvent, type ReactNode } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { FormError, fieldError } from "@/components/ui/FormError";
import { AlertThresholds } from "@/features/budget/AlertThresholds";
import { useHousehold } from "@/features/households/HouseholdContext";

import {
  useCreateCategory,
  useUpdateCategory,
  type Category,
  type CategoryGroup,
  type CategoryUpdateBody,
} from "./api";
import { MAX_NAME_LENGTH, endOfGroupSortOrder, nameError } from "./logic";

export type CategoryFormTarget =
  { mode: "create"; groupId: string } | { mode: "edit"; category: Category };

/** Create a category in a group, or rename, move, hide or change whether one carries overspending. */
export function CategoryFormDialog({
  target,
  groups,
  onClose,
}: {
  target: CategoryFormTarget | null;
  groups: CategoryGroup[];
  onClose: () => void;
}) {
  const household = useHousehold();
  const title =
    target === null
      ? "Category"
      : target.mode === "create"
        ? "New category"
        : `Edit ${target.category.name}`;
  return (
    <Dialog open={target !== null} onOpenChange={(next) => !next && onClose()} title={title}>
      {target ? <CategoryForm target={target} groups={groups} onClose={onClose} /> : null}
      {target?.mode === "edit" && !target.category.is_income ? (
        <div className="mt-4">
          <AlertThresholds householdId={household.id} categoryId={target.category.id} />
        </div>
      ) : null}
    </Dialog>
  );
}

function CategoryForm({
  target,
  groups,
  onClose,
}: {
  target: CategoryFormTarget;
  groups: CategoryGroup[];
  onClose: () => void;
}) {
  const household = useHousehold();
  const create = useCreateCategory(household.id);
  const update = useUpdateCategory(household.id);
  const editing = target.mode === "edit" ? target.category : null;
  const mutation = editing ? update : create;

  const [name, setName] = useState(editing?.name ?? "");
  const [groupId, setGroupId] = useState(
    editing?.group_id ?? (target.mode === "create" ? target.groupId : ""),
  );
  const [isIncome, setIsIncome] = useState(editing?.is_income ?? false);
  const [carryOverspending, setCarryOverspending] = useState(editing?.carry_overspending ?? false);
  const [hidden, setHidden] = useState(editing?.hidden ?? false);
  const [nameProblem, setNameProblem] = useState<string | undefined>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = nameError(name);
    setNameProblem(problem);
    if (problem) return;
    const trimmed = name.trim();
    if (editing) {
      // Only changed fields are sent, so a rename does not undo someone else's move or hide.
      const body: CategoryUpdateBody = {};
      if (trimmed !== editing.name) body.name = trimmed;
      if (groupId !== editing.group_id) {
        body.group_id = groupId;
        body.sort_order = endOfGroupSortOrder(groups.find((group) => group.id === groupId));
      }
      if (carryOverspending !== editing.carry_overspending)
        body.carry_overspending = carryOverspending;
      if (hidden !== editing.hidden) body.hidden = hidden;
      if (Object.keys(body).length === 0) {
        onClose();
        return;
      }
      update.mutate({ categoryId: editing.id, body }, { onSuccess: onClose });
    } else {
      create.mutate(
        {
          group_id: groupId,
          name: trimmed,
          is_income: isIncome,
          carry_overspending: isIncome ? false : carryOverspending,
        },
        { onSuccess: onClose },
      );
    }
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormError error={mutation.error} />
      <TextField
        label="Category name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        error={nameProblem ?? fieldError(mutation.error, "name")}
        maxLength={MAX_NAME_LENGTH}
        required
        autoComplete="off"
      />
      <SelectField
        label="Group"
        value={groupId}
        onChange={(event) => setGroupId(event.target.value)}
        error={fieldError(mutation.error, "group_id")}
        hint={editing ? "Choose another group to move the category there." : undefined}
      >
        {groups.map((group) => (
          <option key={group.id} value={group.id}>
            {group.name}
            {group.hidden ? " (hidden)" : ""}
          </option>
        ))}
      </SelectField>
      {editing ? (
        <p className="text-sm text-muted">
          {editing.is_income
            ? "An income category: money coming in, not budgeted."
            : "A spending category: it can be budgeted."}{" "}
          This cannot change; merge into another category instead.
        </p>
      ) : (
        <Checkbox
          checked={isIncome}
          onChange={(checked) => {
            setIsIncome(checked);
            if (checked) setCarryOverspending(false);
          }}
          label="Income category"
          hint="For money coming in, like salary. Income categories are not budgeted."
        />
      )}
      <Checkbox
        checked={carryOverspending}
        onChange={setCarryOverspending}
        disabled={isIncome}
        label="Carry overspending"
        hint={
          isIncome
            ? "Income categories are not budgeted, so they cannot carry overspending."
            : "What is left always carries into next month. With this on, overspending carries too, instead of coming out of next month's money to assign."
        }
        error={fieldError(mutation.error, "carry_overspending")}
      />
      {editing ? (
        <Checkbox
          checked={hidden}
          onChange={setHidden}
          label="Hidden"
          hint="Hidden categories keep their history but are not offered for new transactions."
        />
      ) : null}
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" busy={mutation.isPending}>
          {editing ? "Save changes" : "Create category"}
        </Button>
      </DialogActions>
    </form>
  );
}

function Checkbox({
  checked,
  onChange,
  label,
  hint,
  error,
  disabled,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label className="flex min-h-11 items-center gap-3 text-sm font-medium">
        <input
          type="checkbox"
          className="size-5"
          checked={checked}
          disabled={disabled}
          aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
          onChange={(event) => onChange(event.target.checked)}
        />
        {label}
      </label>
      {hint ? (
        <p id={`${id}-hint`} className="-mt-1 pl-8 text-xs text-muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="pl-8 text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
