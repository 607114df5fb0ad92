"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import type { Account } from "@/features/accounts/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { todayIso } from "@/lib/dates";

import { useCreateTransfer } from "./api";
import { accountCurrency } from "@/features/accounts/logic";
import { transferCrossesBudgetEdge } from "@/features/accounts/onBudget";
import { useCategoryGroups } from "@/features/categories/api";

import { CategoryOptions } from "./CategoryOptions";
import { parseMagnitude, type DraftErrors } from "./form";
import { NewAccountInline } from "./NewAccountInline";

interface Props {
  open: boolean;
  onClose: (message?: string) => void;
  accounts: Account[];
}

export function TransferDialog({ open, onClose, accounts }: Props) {
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !next && onClose()}
      title="Record a transfer"
      description="Money moving between two of the household's accounts; it is not spending."
    >
      {open ? (
        <TransferForm
          onClose={onClose}
          accounts={accounts.filter((account) => !account.archived_at)}
        />
      ) : null}
    </Dialog>
  );
}

function TransferForm({ onClose, accounts: listed }: Omit<Props, "open">) {
  const household = useHousehold();
  // Accounts made here show at once, before the household's account list is fetched again.
  const [made, setMade] = useState<Account[]>([]);
  const accounts = [...listed, ...made.filter((a) => !listed.some((b) => b.id === a.id))];
  const [creatingFor, setCreatingFor] = useState<"to" | null>(null);
  const transfer = useCreateTransfer(household.id);
  const [fromId, setFromId] = useState("");
  const [toId, setToId] = useState("");
  const [postedOn, setPostedOn] = useState(todayIso);
  const [amountText, setAmountText] = useState("");
  const [memo, setMemo] = useState("");
  const [categoryId, setCategoryId] = useState("");
  const categories = useCategoryGroups(household.id);
  const crossesEdge = transferCrossesBudgetEdge(
    accounts.find((account) => account.id === fromId),
    accounts.find((account) => account.id === toId),
  );
  const [clientErrors, setClientErrors] = useState<DraftErrors>({});
  const errorFor = (field: string) => clientErrors[field] ?? fieldError(transfer.error, field);
  const currency = accountCurrency(
    accounts.find((account) => account.id === fromId),
    household.currency,
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const errors: DraftErrors = {};
    if (!fromId) errors.from_account_id = "Choose the account the money leaves";
    if (!toId) errors.to_account_id = "Choose the account the money goes to";
    else if (toId === fromId) errors.to_account_id = "Choose a different account";
    if (!postedOn) errors.posted_on = "Choose a date";
    const amount = parseMagnitude(amountText, currency);
    if (!amount.ok) errors.amount_minor = amount.error;
    else if (amount.minor === 0) errors.amount_minor = "Enter an amount above zero";
    setClientErrors(errors);
    if (Object.keys(errors).length > 0 || !amount.ok) return;
    transfer.mutate(
      {
        from_account_id: fromId,
        to_account_id: toId,
        posted_on: postedOn,
        amount_minor: amount.minor,
        memo: memo.trim(),
        payee: "",
        ...(crossesEdge && categoryId ? { category_id: categoryId } : {}),
      },
      { onSuccess: () => onClose("Transfer recorded.") },
    );
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormError error={transfer.error} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField
          label="From account"
          value={fromId}
          onChange={(event) => setFromId(event.target.value)}
          error={errorFor("from_account_id")}
          required
        >
          <AccountOptions accounts={accounts} />
        </SelectField>
        <SelectField
          label="To account"
          value={toId}
          onChange={(event) => setToId(event.target.value)}
          error={errorFor("to_account_id")}
          required
        >
          <AccountOptions accounts={accounts} />
        </SelectField>
      </div>
      {creatingFor ? (
        <NewAccountInline
          onCancel={() => setCreatingFor(null)}
          onCreated={(account) => {
            setMade((current) => [...current, account]);
            setToId(account.id);
            setCreatingFor(null);
          }}
        />
      ) : (
        <Button
          size="sm"
          variant="ghost"
          className="self-start"
          onClick={() => setCreatingFor("to")}
        >
          + New account to move the money to
        </Button>
      )}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField
          label="Date"
          type="date"
          value={postedOn}
          onChange={(event) => setPostedOn(event.target.value)}
          error={errorFor("posted_on")}
          required
        />
        <MoneyField
          label="Amount"
          currency={currency}
          value={amountText}
          onValueChange={setAmountText}
          error={errorFor("amount_minor")}
          required
        />
      </div>
      {crossesEdge ? (
        <SelectField
          label="Category"
          value={categoryId}
          onChange={(event) => setCategoryId(event.target.value)}
          error={errorFor("category_id")}
          hint="One account is a tracking account, so this is spending or income in the budget."
        >
          <CategoryOptions groups={categories.data ?? []} />
        </SelectField>
      ) : null}
      <TextField
        label="Memo"
        value={memo}
        maxLength={2000}
        onChange={(event) => setMemo(event.target.value)}
        error={errorFor("memo")}
      />
      <DialogActions>
        <Button variant="secondary" onClick={() => onClose()}>
          Cancel
        </Button>
        <Button type="submit" busy={transfer.isPending}>
          Record transfer
        </Button>
      </DialogActions>
    </form>
  );
}

function AccountOptions({ accounts }: { accounts: Account[] }) {
  return (
    <>
      <option value="">Choose an account</option>
      {accounts.map((account) => (
        <option key={account.id} value={account.id}>
          {account.name}
        </option>
      ))}
    </>
  );
}
