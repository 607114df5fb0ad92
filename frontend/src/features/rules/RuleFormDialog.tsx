"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import type { Account } from "@/features/accounts/api";
import type { CategoryGroup } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { CategoryOptions } from "@/features/transactions/CategoryOptions";

import { useCreateRule, useUpdateRule, type Rule } from "./api";
import {
  buildRule,
  draftFromRule,
  emptyRuleDraft,
  type PayeeMatch,
  type RuleDraft,
  type RuleDraftErrors,
} from "./form";

export type RuleFormTarget = { mode: "create" } | { mode: "edit"; rule: Rule };

interface Props {
  target: RuleFormTarget | null;
  groups: CategoryGroup[];
  accounts: Account[];
  onClose: (message?: string) => void;
}

export function RuleFormDialog({ target, groups, accounts, onClose }: Props) {
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(open) => !open && onClose()}
      title={target?.mode === "edit" ? "Edit rule" : "New rule"}
    >
      {target ? (
        <RuleForm
          key={target.mode === "edit" ? target.rule.id : "create"}
          target={target}
          groups={groups}
          accounts={accounts}
          onClose={onClose}
        />
      ) : null}
    </Dialog>
  );
}

function RuleForm({ target, groups, accounts, onClose }: Props & { target: RuleFormTarget }) {
  const household = useHousehold();
  const editing = target.mode === "edit" ? target.rule : null;
  const [draft, setDraft] = useState<RuleDraft>(() =>
    editing ? draftFromRule(editing, household.currency) : emptyRuleDraft(),
  );
  const [clientErrors, setClientErrors] = useState<RuleDraftErrors>({});
  const create = useCreateRule(household.id);
  const update = useUpdateRule(household.id);
  const mutation = editing ? update : create;
  const errorFor = (field: string) => clientErrors[field] ?? fieldError(mutation.error, field);
  const set = (change: Partial<RuleDraft>) => setDraft((current) => ({ ...current, ...change }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const built = buildRule(draft, household.currency);
    setClientErrors(built.ok ? {} : built.errors);
    if (!built.ok) return;
    try {
      if (editing) {
        await update.mutateAsync({ ruleId: editing.id, body: built.body });
        onClose("Rule saved.");
      } else {
        await create.mutateAsync(built.body);
        onClose("Rule added. Use “Apply to existing” to run it on past transactions.");
      }
    } catch {
      // The error shows in the form (FormError and the fields).
    }
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormError error={mutation.error} />
      <TextField
        label="Name"
        value={draft.name}
        maxLength={100}
        onChange={(event) => set({ name: event.target.value })}
        error={errorFor("name")}
        required
      />
      <fieldset className="flex flex-col gap-3">
        <legend className="mb-1 text-sm font-semibold">When a transaction…</legend>
        {errorFor("conditions") ? (
          <p className="text-sm text-danger" role="alert">
            {errorFor("conditions")}
          </p>
        ) : null}
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
          <SelectField
            label="Payee"
            value={draft.payeeMatch}
            onChange={(event) => set({ payeeMatch: event.target.value as PayeeMatch })}
          >
            <option value="contains">contains</option>
            <option value="equals">is exactly</option>
            <option value="any">any payee</option>
          </SelectField>
          <TextField
            label="Payee text"
            containerClassName="sm:col-span-2"
            value={draft.payeeValue}
            maxLength={200}
            disabled={draft.payeeMatch === "any"}
            hint="Case, accents, digits and punctuation do not count"
            onChange={(event) => set({ payeeValue: event.target.value })}
            error={errorFor("conditions.payee.value")}
          />
        </div>
        <TextField
          label="Memo contains"
          value={draft.memoContains}
          maxLength={200}
          onChange={(event) => set({ memoContains: event.target.value })}
          error={errorFor("conditions.memo_contains")}
        />
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <MoneyField
            label="Amount from"
            currency={household.currency}
            value={draft.minText}
            hint="Money out is negative, e.g. -50"
            onValueChange={(minText) => set({ minText })}
            error={errorFor("conditions.min_amount_minor")}
          />
          <MoneyField
            label="Amount to"
            currency={household.currency}
            value={draft.maxText}
            hint="Both ends included"
            onValueChange={(maxText) => set({ maxText })}
            error={errorFor("conditions.max_amount_minor")}
          />
        </div>
        <SelectField
          label="Account"
          value={draft.accountId}
          onChange={(event) => set({ accountId: event.target.value })}
          error={errorFor("conditions.account_id")}
        >
          <option value="">Any account</option>
          {accounts.map((account) => (
            <option key={account.id} value={account.id}>
              {account.name}
            </option>
          ))}
        </SelectField>
      </fieldset>
      <fieldset className="flex flex-col gap-3">
        <legend className="mb-1 text-sm font-semibold">…then</legend>
        {errorFor("actions") ? (
          <p className="text-sm text-danger" role="alert">
            {errorFor("actions")}
          </p>
        ) : null}
        <SelectField
          label="Set the category"
          value={draft.categoryId}
          onChange={(event) => set({ categoryId: event.target.value })}
          error={errorFor("actions.category_id")}
        >
          <CategoryOptions groups={groups} keepId={draft.categoryId} noneLabel="Leave it" />
        </SelectField>
        <TextField
          label="Rename the payee to"
          value={draft.newPayee}
          maxLength={200}
          onChange={(event) => set({ newPayee: event.target.value })}
          error={errorFor("actions.payee")}
        />
        <TextField
          label="Add tags"
          hint="Optional; separate with commas"
          value={draft.tagsText}
          onChange={(event) => set({ tagsText: event.target.value })}
          error={errorFor("actions.tags")}
        />
      </fieldset>
      <label className="flex min-h-11 items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="size-5 accent-primary"
          checked={draft.enabled}
          onChange={(event) => set({ enabled: event.target.checked })}
        />
        On (applies to new transactions)
      </label>
      <DialogActions>
        <Button variant="secondary" onClick={() => onClose()}>
          Cancel
        </Button>
        <Button type="submit" busy={mutation.isPending}>
          {editing ? "Save" : "Add rule"}
        </Button>
      </DialogActions>
    </form>
  );
}
