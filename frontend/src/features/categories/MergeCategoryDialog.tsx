"use client";

import { useState, type FormEvent } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { SelectField } from "@/components/ui/Field";
import { FormError, fieldError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useMergeCategory, type Category, type CategoryGroup } from "./api";
import { describeMerge, mergeTargets } from "./logic";

/** Fold one category into another; afterwards the dialog says what the API moved. */
export function MergeCategoryDialog({
  source,
  groups,
  onClose,
}: {
  source: Category | null;
  groups: CategoryGroup[];
  onClose: () => void;
}) {
  return (
    <Dialog
      open={source !== null}
      onOpenChange={(next) => !next && onClose()}
      title={source ? `Merge ${source.name}` : "Merge category"}
    >
      {source ? <MergeForm source={source} groups={groups} onClose={onClose} /> : null}
    </Dialog>
  );
}

function MergeForm({
  source,
  groups,
  onClose,
}: {
  source: Category;
  groups: CategoryGroup[];
  onClose: () => void;
}) {
  const household = useHousehold();
  const merge = useMergeCategory(household.id);
  const targets = mergeTargets(groups, source);
  const [targetId, setTargetId] = useState("");
  const [missingTarget, setMissingTarget] = useState(false);

  if (merge.isSuccess) {
    return (
      <div className="flex flex-col gap-4">
        <Alert tone="success">
          {describeMerge(source.name, merge.data.category.name, merge.data)}
        </Alert>
        <div className="flex justify-end">
          <Button onClick={onClose}>Done</Button>
        </div>
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMissingTarget(targetId === "");
    if (targetId !== "") merge.mutate({ categoryId: source.id, intoCategoryId: targetId });
  };

  const kind = source.is_income ? "income" : "spending";
  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <p className="text-sm">
        Every transaction, split line and monthly budget amount of “{source.name}” moves to the
        category you choose; where both have a budget in the same month, the amounts are added. Then
        “{source.name}” is deleted. This cannot be undone.
      </p>
      <FormError error={merge.error} />
      {targets.length === 0 ? (
        <Alert tone="info">
          There is no other {kind} category to merge into. Create one first.
        </Alert>
      ) : (
        <SelectField
          label="Merge into"
          value={targetId}
          onChange={(event) => setTargetId(event.target.value)}
          error={
            missingTarget
              ? "Choose the category to merge into"
              : fieldError(merge.error, "into_category_id")
          }
          hint={`Only ${kind} categories can be chosen: income and spending cannot be mixed.`}
          required
        >
          <option value="">Choose a category…</option>
          {targets.map((group) => (
            <optgroup key={group.groupId} label={group.groupName}>
              {group.categories.map((category) => (
                <option key={category.id} value={category.id}>
                  {category.name}
                  {category.hidden ? " (hidden)" : ""}
                </option>
              ))}
            </optgroup>
          ))}
        </SelectField>
      )}
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        {targets.length > 0 ? (
          <Button type="submit" variant="danger" busy={merge.isPending}>
            Merge and delete “{source.name}”
          </Button>
        ) : null}
      </DialogActions>
    </form>
  );
}
