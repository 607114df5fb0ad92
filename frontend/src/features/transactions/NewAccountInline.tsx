"use client";

import { useState, type KeyboardEvent } from "react";

import { Button } from "@/components/ui/Button";
import { SelectField, TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { useCreateAccount, type Account } from "@/features/accounts/api";
import { ACCOUNT_KINDS, KIND_LABELS, type AccountKind } from "@/features/accounts/logic";
import { useHousehold } from "@/features/households/HouseholdContext";

const MAX_NAME_LENGTH = 100;

/**
 * A small "new account" inside another form (a transfer to an account that does not exist yet):
 * name and kind, created through the accounts API in the household's currency with a zero
 * opening balance. Not a <form> of its own, since forms cannot nest: Enter in the name creates.
 */
export function NewAccountInline({
  onCreated,
  onCancel,
}: {
  onCreated: (account: Account) => void;
  onCancel: () => void;
}) {
  const household = useHousehold();
  const create = useCreateAccount(household.id);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<AccountKind>("savings");
  const [nameError, setNameError] = useState<string | undefined>();

  function submit() {
    const trimmed = name.trim();
    if (!trimmed) {
      setNameError("Name the account");
      return;
    }
    setNameError(undefined);
    create.mutate({ name: trimmed, kind, opening_balance_minor: 0 }, { onSuccess: onCreated });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== "Enter") return;
    event.preventDefault(); // not the transfer form's submit
    submit();
  }

  return (
    <div
      role="group"
      aria-label="New account"
      className="flex flex-col gap-3 rounded-md border border-border bg-bg p-3"
    >
      <FormError error={create.error} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField
          label="New account name"
          value={name}
          maxLength={MAX_NAME_LENGTH}
          autoFocus
          onChange={(event) => setName(event.target.value)}
          onKeyDown={onKeyDown}
          error={nameError ?? fieldError(create.error, "name")}
        />
        <SelectField
          label="Kind"
          value={kind}
          onChange={(event) => setKind(event.target.value as AccountKind)}
          error={fieldError(create.error, "kind")}
        >
          {ACCOUNT_KINDS.map((option) => (
            <option key={option} value={option}>
              {KIND_LABELS[option]}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="flex gap-2">
        <Button size="sm" busy={create.isPending} onClick={submit}>
          Create account
        </Button>
        <Button size="sm" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
