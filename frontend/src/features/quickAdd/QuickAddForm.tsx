"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { DialogActions } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import { accountsQuery, type Account } from "@/features/accounts/api";
import { accountCurrency } from "@/features/accounts/logic";
import { categoryGroupsQuery, type CategoryGroup } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { usePayeeSuggestions } from "@/features/payees/api";
import { useCreateTransaction } from "@/features/transactions/api";
import { CategoryOptions } from "@/features/transactions/CategoryOptions";
import { DirectionToggle } from "@/features/transactions/DirectionToggle";
import {
  buildTransaction,
  directionAfterTyping,
  emptyDraft,
  type DraftErrors,
  type TransactionDraft,
} from "@/features/transactions/form";
import { todayIso } from "@/lib/dates";
import { formatMoney } from "@/lib/money";

import { quickAddAccountId, rememberAccount, rememberedAccount } from "./logic";

/**
 * Amount first (the numeric keyboard opens at once), then the payee, whose usual category fills
 * itself in; the account of the last quick entry is preselected. Saved through the same create
 * call, and the same validation, as the transactions page's form.
 */
export function QuickAddForm({ onDone }: { onDone: (message: string) => void }) {
  const household = useHousehold();
  const accounts = useQuery(accountsQuery(household.id));
  const categories = useQuery(categoryGroupsQuery(household.id));
  if (accounts.isPending) return <p className="text-sm text-muted">Loading your accounts…</p>;
  if (accounts.isError) return <FormError error={accounts.error} />;
  const open = accounts.data.filter((account) => account.archived_at === null);
  if (open.length === 0)
    return (
      <p className="text-sm">
        Add an account first: transactions belong to one.{" "}
        <Link href={`/h/${household.id}/accounts`} className="font-medium text-primary underline">
          Go to accounts
        </Link>
      </p>
    );
  return (
    <Form
      accounts={open}
      groups={categories.data ?? []}
      initialAccountId={quickAddAccountId(open, rememberedAccount(household.id))}
      onDone={onDone}
    />
  );
}

function Form({
  accounts,
  groups,
  initialAccountId,
  onDone,
}: {
  accounts: Account[];
  groups: CategoryGroup[];
  initialAccountId: string;
  onDone: (message: string) => void;
}) {
  const household = useHousehold();
  const [draft, setDraft] = useState<TransactionDraft>(() =>
    emptyDraft(initialAccountId, todayIso()),
  );
  const [clientErrors, setClientErrors] = useState<DraftErrors>({});
  const create = useCreateTransaction(household.id);
  const payees = usePayeeSuggestions(household.id, draft.payee);
  const set = (change: Partial<TransactionDraft>) =>
    setDraft((current) => ({ ...current, ...change }));
  const currency = accountCurrency(
    accounts.find((account) => account.id === draft.accountId),
    household.currency,
  );
  const errorFor = (field: string) => clientErrors[field] ?? fieldError(create.error, field);

  // A known payee brings its usual category when none is chosen yet: on picking it from the
  // list, or when the suggestions for a payee typed in full arrive after it.
  const usualCategory = (payee: string) =>
    payees.data?.items.find((item) => item.payee === payee)?.category_id ?? null;
  const choosePayee = (payee: string) => {
    const known = usualCategory(payee);
    set(known && !draft.categoryId ? { payee, categoryId: known } : { payee });
  };
  const arrived = usualCategory(draft.payee);
  const [filledFor, setFilledFor] = useState<string | null>(null);
  if (arrived && !draft.categoryId && filledFor !== draft.payee) {
    // Adjusting state while rendering, once per payee, as React's docs describe for props.
    setFilledFor(draft.payee);
    set({ categoryId: arrived });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const format = (minor: number) => formatMoney(minor, currency);
    const built = buildTransaction(draft, currency, format);
    setClientErrors(built.ok ? {} : built.errors);
    if (!built.ok) return;
    try {
      const saved = await create.mutateAsync(built.body);
      rememberAccount(household.id, saved.account_id);
      const what = saved.payee ? ` · ${saved.payee}` : "";
      onDone(`Added ${formatMoney(saved.amount_minor, currency)}${what}`);
    } catch {
      // The error is shown at its field or above the form (FormError).
    }
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      <FormError error={create.error} />
      <MoneyField
        label="Amount"
        currency={currency}
        value={draft.amountText}
        onValueChange={(amountText) =>
          set({ amountText, direction: directionAfterTyping(amountText, draft.direction) })
        }
        error={errorFor("amount_minor")}
        // The sheet opens to type an amount: the numeric keyboard comes up with it.
        autoFocus
        required
        className="tabular text-right text-2xl font-semibold"
      />
      <DirectionToggle value={draft.direction} onChange={(direction) => set({ direction })} />
      <TextField
        label="Payee"
        value={draft.payee}
        list="quick-add-payees"
        autoComplete="off"
        maxLength={200}
        onChange={(event) => choosePayee(event.target.value)}
        error={errorFor("payee")}
      />
      <datalist id="quick-add-payees">
        {(payees.data?.items ?? []).map((item) => (
          <option key={item.payee} value={item.payee} />
        ))}
      </datalist>
      <SelectField
        label="Category"
        value={draft.categoryId}
        onChange={(event) => set({ categoryId: event.target.value })}
        error={errorFor("category_id")}
      >
        <CategoryOptions groups={groups} />
      </SelectField>
      <div className="grid grid-cols-2 gap-3">
        <SelectField
          label="Account"
          value={draft.accountId}
          onChange={(event) => set({ accountId: event.target.value })}
          error={errorFor("account_id")}
          required
        >
          {accounts.map((account) => (
            <option key={account.id} value={account.id}>
              {account.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Date"
          type="date"
          value={draft.postedOn}
          onChange={(event) => set({ postedOn: event.target.value })}
          error={errorFor("posted_on")}
          required
        />
      </div>
      <DialogActions>
        <Button type="submit" busy={create.isPending}>
          Save
        </Button>
      </DialogActions>
    </form>
  );
}
