"use client";

import { useState, type FormEvent } from "react";

import { ApiError } from "@/api/problem";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { TextField } from "@/components/ui/Field";
import { FormError, fieldError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import {
  useCreateCategoryGroup,
  useDeleteCategoryGroup,
  useUpdateCategoryGroup,
  type CategoryGroup,
} from "./api";
import { MAX_NAME_LENGTH, nameError } from "./logic";

/** Create a group (no `group`) or rename one. */
export function GroupFormDialog({
  open,
  group,
  onClose,
}: {
  open: boolean;
  group?: CategoryGroup | undefined;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !next && onClose()}
      title={group ? `Rename ${group.name}` : "New category group"}
    >
      {open ? <GroupForm group={group} onClose={onClose} /> : null}
    </Dialog>
  );
}

function GroupForm({ group, onClose }: { group?: CategoryGroup | undefined; onClose: () => void }) {
  const household = useHousehold();
  const create = useCreateCategoryGroup(household.id);
  const update = useUpdateCategoryGroup(household.id);
  const mutation = group ? update : create;
  const [name, setName] = useState(group?.name ?? "");
  const [localError, setLocalError] = useState<string | undefined>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = nameError(name);
    setLocalError(problem);
    if (problem) return;
    if (group)
      update.mutate({ groupId: group.id, body: { name: name.trim() } }, { onSuccess: onClose });
    else create.mutate(name.trim(), { onSuccess: onClose });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormError error={mutation.error} />
      <TextField
        label="Group name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        error={localError ?? fieldError(mutation.error, "name")}
        maxLength={MAX_NAME_LENGTH}
        required
        autoComplete="off"
        hint={group ? undefined : "New groups are added after the existing ones."}
      />
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" busy={mutation.isPending}>
          {group ? "Save name" : "Create group"}
        </Button>
      </DialogActions>
    </form>
  );
}

/** Only an empty group can be deleted; the API's refusal is shown as it comes. */
export function DeleteGroupDialog({
  group,
  onClose,
}: {
  group: CategoryGroup | null;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={group !== null}
      onOpenChange={(next) => !next && onClose()}
      title={group ? `Delete ${group.name}?` : "Delete group?"}
    >
      {group ? <DeleteGroupConfirm group={group} onClose={onClose} /> : null}
    </Dialog>
  );
}

function DeleteGroupConfirm({ group, onClose }: { group: CategoryGroup; onClose: () => void }) {
  const household = useHousehold();
  const remove = useDeleteCategoryGroup(household.id);
  const notEmpty =
    remove.error instanceof ApiError && remove.error.code === "category_group_not_empty"
      ? remove.error
      : null;

  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm">
        Only an empty group can be deleted. Move its categories to another group or merge them
        first; hidden categories count too.
      </p>
      {notEmpty ? (
        <Alert>
          {notEmpty.message}. Open a category’s Edit to move it, or use Merge to fold it into
          another.
        </Alert>
      ) : (
        <FormError error={remove.error} />
      )}
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          {notEmpty ? "Close" : "Cancel"}
        </Button>
        {notEmpty ? null : (
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => remove.mutate(group.id, { onSuccess: onClose })}
          >
            Delete group
          </Button>
        )}
      </DialogActions>
    </div>
  );
}
