"use client";

import { useId, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { FormError, fieldError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import { useHousehold } from "@/features/households/HouseholdContext";
import { todayIso } from "@/lib/dates";

import { useCreateAccount, useMembers, useUpdateAccount, type Account } from "./api";
import {
  accountFormBody,
  accountValues,
  newAccountValues,
  MAX_NAME_LENGTH,
  type AccountFormErrors,
  type AccountFormValues,
} from "./form";
import { ACCOUNT_KINDS, KIND_LABELS, accountCurrency, isLiabilityKind } from "./logic";
import { onBudgetByDefault, onBudgetChange } from "./onBudget";

/** Create an account (no `account`) or edit one. The form is rebuilt each time the dialog opens. */
export function AccountFormDialog({
  open,
  onOpenChange,
  account,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  account?: Account | undefined;
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={account ? `Edit ${account.name}` : "New account"}
    >
      {open ? <AccountForm account={account} onDone={() => onOpenChange(false)} /> : null}
    </Dialog>
  );
}

function AccountForm({ account, onDone }: { account?: Account | undefined; onDone: () => void }) {
  const household = useHousehold();
  const currency = accountCurrency(account, household.currency);
  const [values, setValues] = useState<AccountFormValues>(() =>
    account ? accountValues(account, currency) : newAccountValues(todayIso()),
  );
  const [localErrors, setLocalErrors] = useState<AccountFormErrors>({});
  // null: not chosen yet, so the box follows the kind's default.
  const [onBudget, setOnBudget] = useState<boolean | null>(null);
  const shownOnBudget = onBudget ?? account?.on_budget ?? onBudgetByDefault(values.kind);
  const onBudgetHintId = useId();
  const create = useCreateAccount(household.id);
  const update = useUpdateAccount(household.id);
  const mutation = account ? update : create;

  const set = <K extends keyof AccountFormValues>(field: K, value: AccountFormValues[K]) =>
    setValues((current) => ({ ...current, [field]: value }));
  const errorOf = (field: keyof AccountFormErrors) =>
    localErrors[field] ?? fieldError(mutation.error, field);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = accountFormBody(values, currency);
    if (!result.ok) {
      setLocalErrors(result.errors);
      return;
    }
    setLocalErrors({});
    const { kind, ...changes } = result.body;
    const onSuccess = () => onDone();
    const budget = onBudgetChange(onBudget, kind, account?.on_budget);
    if (account)
      update.mutate({ accountId: account.id, body: { ...changes, ...budget } }, { onSuccess });
    else create.mutate({ ...changes, ...budget, kind }, { onSuccess });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormError error={mutation.error} />
      <TextField
        label="Name"
        value={values.name}
        onChange={(event) => set("name", event.target.value)}
        error={errorOf("name")}
        maxLength={MAX_NAME_LENGTH}
        required
        autoComplete="off"
      />
      <SelectField
        label="Kind"
        value={values.kind}
        onChange={(event) => set("kind", event.target.value as AccountFormValues["kind"])}
        error={fieldError(mutation.error, "kind")}
        disabled={Boolean(account)}
        hint={
          account
            ? "The kind of an account cannot change; create a new account instead."
            : undefined
        }
      >
        {ACCOUNT_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {KIND_LABELS[kind]}
          </option>
        ))}
      </SelectField>
      <div className="grid gap-4 sm:grid-cols-2">
        <MoneyField
          label="Opening balance"
          currency={currency}
          value={values.openingBalance}
          onValueChange={(text) => set("openingBalance", text)}
          error={errorOf("opening_balance_minor")}
          placeholder="0"
          hint={
            isLiabilityKind(values.kind)
              ? `${currency.code}. Money owed is negative, like -250`
              : `${currency.code}. Empty means zero`
          }
        />
        <TextField
          label="Opened on"
          type="date"
          value={values.openedOn}
          onChange={(event) => set("openedOn", event.target.value)}
          error={errorOf("opened_on")}
          required
        />
      </div>
      <label className="flex min-h-11 items-start gap-3 text-sm">
        <input
          type="checkbox"
          className="mt-0.5 size-5"
          checked={shownOnBudget}
          onChange={(event) => setOnBudget(event.target.checked)}
          aria-describedby={onBudgetHintId}
        />
        <span>
          <span className="font-medium">On budget</span>
          <span id={onBudgetHintId} className="block text-muted">
            Its money can be assigned in the budget. Turn off for a tracking account (loans and
            investments are by default): only its balance is shown, and a transfer to it from an
            on-budget account is spending in the category you choose.
          </span>
          {fieldError(mutation.error, "on_budget") ? (
            <span role="alert" className="block text-danger">
              {fieldError(mutation.error, "on_budget")}
            </span>
          ) : null}
        </span>
      </label>
      <SharedWithField
        selected={values.sharedWith}
        onChange={(ids) => set("sharedWith", ids)}
        error={fieldError(mutation.error, "shared_with_user_ids")}
      />
      <DialogActions>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={mutation.isPending}>
          {account ? "Save changes" : "Create account"}
        </Button>
      </DialogActions>
    </form>
  );
}

/** Teen members see only the accounts shared with them; adults see every account anyway. */
function SharedWithField({
  selected,
  onChange,
  error,
}: {
  selected: string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}) {
  const household = useHousehold();
  const members = useMembers(household.id);
  const teens = (members.data ?? []).filter((member) => member.role === "teen");
  const errorId = useId();

  return (
    <fieldset className="flex flex-col gap-2" aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium">Shared with teens</legend>
      {members.isPending ? <p className="text-sm text-muted">Loading members…</p> : null}
      {members.isError ? (
        <p className="text-sm text-danger">
          The members could not be loaded, so sharing cannot be changed right now.
        </p>
      ) : null}
      {members.isSuccess && teens.length === 0 ? (
        <p className="text-sm text-muted">
          No teen members yet. Teens you invite can be given access to this account here.
        </p>
      ) : null}
      {teens.map((teen) => (
        <label key={teen.user_id} className="flex min-h-11 items-center gap-3 text-sm">
          <input
            type="checkbox"
            className="size-5"
            checked={selected.includes(teen.user_id)}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? [...selected, teen.user_id]
                  : selected.filter((id) => id !== teen.user_id),
              )
            }
          />
          <span>
            {teen.name} <span className="text-muted">({teen.email})</span>
          </span>
        </label>
      ))}
      {teens.length > 0 ? (
        <p className="text-xs text-muted">
          They can see its balance and record transactions in it.
        </p>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
