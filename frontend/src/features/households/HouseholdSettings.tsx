"use client";

import { useState, type FormEvent } from "react";

import { mergeFieldErrors, serverFieldErrors, type CodeFields } from "@/api/serverErrors";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { type CurrencyCode, currencyLabel } from "@/features/auth/currencies";
import { CurrencySelect } from "@/features/auth/CurrencySelect";
import { validateHouseholdName } from "@/features/auth/validation";

import { useUpdateHousehold, type HouseholdUpdate } from "./api";
import { useHousehold } from "./HouseholdContext";
import { ROLE_LABELS } from "./roles";

const SETTINGS_CODE_FIELDS: CodeFields = { currency_locked: "currency" };

export function HouseholdSettings() {
  const household = useHousehold();
  return (
    <Card title="Name and currency">
      {household.isOwner ? (
        <SettingsForm />
      ) : (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-muted">Name</dt>
          <dd className="break-words">{household.name}</dd>
          <dt className="text-muted">Currency</dt>
          <dd>{currencyLabel(household.currency.code)}</dd>
          <dt className="text-muted">Your role</dt>
          <dd>{ROLE_LABELS[household.role]}</dd>
        </dl>
      )}
    </Card>
  );
}

function SettingsForm() {
  const household = useHousehold();
  const [name, setName] = useState(household.name);
  // The API only ever stores a code it accepts.
  const [currency, setCurrency] = useState(household.currency.code as CurrencyCode);
  const [nameError, setNameError] = useState<string | undefined>();
  const update = useUpdateHousehold(household.id);
  const errors = mergeFieldErrors(
    { name: nameError },
    serverFieldErrors(update.error, SETTINGS_CODE_FIELDS),
  );

  const changes: HouseholdUpdate = {};
  if (name.trim() !== household.name) changes.name = name.trim();
  if (currency !== household.currency.code) changes.currency = currency;
  const changed = Object.keys(changes).length > 0;

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateHouseholdName(name);
    setNameError(found);
    if (!found && changed) update.mutate(changes);
  }

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4">
      <FormError error={update.error} codeFields={SETTINGS_CODE_FIELDS} />
      {update.isSuccess && !changed ? <Alert tone="success">Saved.</Alert> : null}
      <TextField
        label="Household name"
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          update.reset();
        }}
        error={errors.name}
        required
        maxLength={200}
        autoComplete="off"
      />
      <CurrencySelect
        label="Currency"
        value={currency}
        onValueChange={(code) => {
          setCurrency(code);
          update.reset();
        }}
        error={errors.currency}
        hint="Can change only while the household has no transactions (amounts are never converted)."
      />
      <div>
        <Button type="submit" busy={update.isPending} disabled={!changed}>
          Save changes
        </Button>
      </div>
    </form>
  );
}
