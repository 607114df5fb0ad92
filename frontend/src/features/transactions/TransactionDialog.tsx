"use client";

import { useState, type FormEvent } from "react";

import { ApiError } from "@/api/problem";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import type { Account } from "@/features/accounts/api";
import type { CategoryGroup } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { usePayeeSuggestions } from "@/features/payees/api";
import { todayIso } from "@/lib/dates";
import { formatMoney } from "@/lib/money";

import {
  fetchTransaction,
  isReconciledConflict,
  isVersionConflict,
  RECONCILED_CONFIRM_MESSAGE,
  useCreateTransaction,
  useUpdateTransaction,
} from "./api";
import { CategoryOptions } from "./CategoryOptions";
import { accountCurrency } from "@/features/accounts/logic";
import { DeleteTransaction } from "./DeleteTransaction";
import { DirectionToggle } from "./DirectionToggle";
import {
  buildTransaction,
  directionAfterTyping,
  draftFromTransaction,
  emptyDraft,
  splitIsComplete,
  updateBody,
  withPayee,
  withPrefill,
  type DraftErrors,
  type Transaction,
  type TransactionDraft,
  type TransactionPrefill,
} from "./form";
import { initialAccountId, rememberLastAccount } from "./lastAccount";
import { SplitEditor } from "./SplitEditor";
import { TransactionReceipts } from "@/features/receipts/TransactionReceipts";
import { useRuleFromTransaction } from "@/features/rules/api";
import { AlwaysDoThis, offerAlwaysDoThis } from "@/features/rules/AlwaysDoThis";

export type TransactionDialogMode =
  { kind: "add"; prefill?: TransactionPrefill } | { kind: "edit"; transaction: Transaction };

interface Props {
  mode: TransactionDialogMode | null;
  onClose: (message?: string) => void;
  accounts: Account[];
  groups: CategoryGroup[];
  /** For a new transaction: the account the list is filtered to, if any. */
  defaultAccountId?: string | null;
  /** Called with a transaction just added, before the dialog closes (to attach a receipt). */
  onCreated?: (transaction: Transaction) => Promise<unknown>;
  /** Deleting hands the transaction here (to be held behind an undo) instead of sending it. */
  onDelete?: (transaction: Transaction) => void;
}

export function TransactionDialog({
  mode,
  onClose,
  accounts,
  groups,
  defaultAccountId,
  onCreated,
  onDelete,
}: Props) {
  return (
    <Dialog
      open={mode !== null}
      onOpenChange={(open) => !open && onClose()}
      title={mode?.kind === "edit" ? "Edit transaction" : "Add transaction"}
    >
      {mode ? (
        <TransactionForm
          key={mode.kind === "edit" ? mode.transaction.id : "add"}
          mode={mode}
          onClose={onClose}
          accounts={accounts}
          groups={groups}
          defaultAccountId={defaultAccountId}
          onCreated={onCreated}
          onDelete={onDelete}
        />
      ) : null}
    </Dialog>
  );
}

type Conflict = { latest: Transaction } | { deleted: true } | null;

function TransactionForm({
  mode,
  onClose,
  accounts,
  groups,
  defaultAccountId,
  onCreated,
  onDelete,
}: Props & { mode: TransactionDialogMode }) {
  const household = useHousehold();
  const editing = mode.kind === "edit" ? mode.transaction : null;
  const openAccounts = accounts.filter(
    (account) => !account.archived_at || account.id === editing?.account_id,
  );
  const currencyOf = (accountId: string) =>
    accountCurrency(
      accounts.find((account) => account.id === accountId),
      household.currency,
    );
  const [base, setBase] = useState<Transaction | null>(editing);
  const [draft, setDraft] = useState<TransactionDraft>(() => {
    if (editing) return draftFromTransaction(editing, currencyOf(editing.account_id));
    const accountId = initialAccountId(
      household.id,
      openAccounts.map((account) => account.id),
      defaultAccountId,
    );
    const draft = emptyDraft(accountId, todayIso());
    return mode.kind === "add" && mode.prefill
      ? withPrefill(draft, mode.prefill, currencyOf(accountId))
      : draft;
  });
  const [clientErrors, setClientErrors] = useState<DraftErrors>({});
  const [conflict, setConflict] = useState<Conflict>(null);
  const create = useCreateTransaction(household.id);
  const update = useUpdateTransaction(household.id);
  const makeRule = useRuleFromTransaction(household.id);
  const [alwaysDoThis, setAlwaysDoThis] = useState(false);
  const mutation = editing ? update : create;
  // The API asked before changing what a bank statement confirmed: saving again says yes.
  const reconciledAsked = editing !== null && isReconciledConflict(update.error);
  const serverError =
    mutation.error && !isVersionConflict(mutation.error) && !reconciledAsked
      ? mutation.error
      : null;
  const errorFor = (field: string) => clientErrors[field] ?? fieldError(serverError, field);
  const set = (change: Partial<TransactionDraft>) =>
    setDraft((current) => ({ ...current, ...change }));
  const payees = usePayeeSuggestions(household.id, draft.payee);
  const payeeListId = `payees-${editing?.id ?? "new"}`;
  const choosePayee = (payee: string) =>
    setDraft((current) => withPayee(current, payee, payees.data?.items ?? []));

  const isTransfer = editing?.transfer != null;
  // A teen may change only the categorization and tags of an existing transaction.
  const lockedForTeen = editing !== null && !household.isAdult;
  const currency = currencyOf(draft.accountId);
  const offerRule =
    base !== null &&
    offerAlwaysDoThis({
      isAdult: household.isAdult,
      isTransfer,
      splitMode: draft.splitMode,
      payee: draft.payee,
      categoryId: draft.categoryId,
      savedCategoryId: base.category_id,
    });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const built = buildTransaction(draft, currency, (minor) => formatMoney(minor, currency));
    setClientErrors(built.ok ? {} : built.errors);
    if (!built.ok) return;
    try {
      if (base) {
        const saved = await update.mutateAsync({
          transaction: base,
          body: updateBody(built.body, { isAdult: household.isAdult, isTransfer }),
          confirmReconciled: reconciledAsked,
        });
        onClose(await withRule(saved));
      } else {
        const created = await create.mutateAsync(built.body);
        rememberLastAccount(household.id, created.account_id);
        await onCreated?.(created);
        onClose("Transaction added.");
      }
    } catch (error) {
      if (isVersionConflict(error)) await reloadAfterConflict();
    }
  }

  /** After the edit is saved: the "always do this" rule, if asked for. */
  async function withRule(saved: Transaction): Promise<string> {
    if (!offerRule || !alwaysDoThis || !saved.category_id) return "Transaction saved.";
    try {
      await makeRule.mutateAsync({ transaction_id: saved.id, category_id: saved.category_id });
      return `Transaction saved. New transactions from “${saved.payee}” will get this category (see Rules).`;
    } catch {
      return "Transaction saved, but the rule could not be made; try again from the Rules page.";
    }
  }

  /** The If-Match of the next attempt must carry the version someone else just saved. */
  async function reloadAfterConflict() {
    if (!base) return;
    try {
      const latest = await fetchTransaction(household.id, base.id);
      setBase(latest);
      setConflict({ latest });
    } catch (reloadError) {
      if (reloadError instanceof ApiError && reloadError.status === 404)
        setConflict({ deleted: true });
    }
  }

  const splitBlocked = draft.splitMode && !splitIsComplete(draft, currency);

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      {conflict && "latest" in conflict ? (
        <Alert tone="warning">
          <p>
            Someone else changed this transaction while you were editing it. Your edits are still
            here; saving now replaces their changes.
          </p>
          <Button
            variant="secondary"
            className="mt-2"
            onClick={() => (
              setDraft(
                draftFromTransaction(conflict.latest, currencyOf(conflict.latest.account_id)),
              ),
              setConflict(null),
              update.reset()
            )}
          >
            Show their version instead
          </Button>
        </Alert>
      ) : null}
      {conflict && "deleted" in conflict ? (
        <Alert tone="error">
          Someone else deleted this transaction. Close this dialog; nothing was saved.
        </Alert>
      ) : null}
      <FormError error={serverError} />
      {reconciledAsked ? (
        <Alert tone="warning">{RECONCILED_CONFIRM_MESSAGE} Press “Save anyway” to go ahead.</Alert>
      ) : null}
      {lockedForTeen ? (
        <Alert tone="info">
          You can change the category, split and tags. Ask a parent to change anything else.
        </Alert>
      ) : null}
      {isTransfer ? (
        <Alert tone="info">
          This is one side of a transfer: a new amount or date changes both sides.
        </Alert>
      ) : null}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField
          label="Account"
          value={draft.accountId}
          onChange={(event) => set({ accountId: event.target.value })}
          error={errorFor("account_id")}
          disabled={lockedForTeen}
          required
        >
          <option value="">Choose an account</option>
          {openAccounts.map((account) => (
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
          disabled={lockedForTeen}
          required
        />
      </div>
      <TextField
        label="Payee"
        value={draft.payee}
        maxLength={200}
        list={payeeListId}
        autoComplete="off"
        onChange={(event) => choosePayee(event.target.value)}
        error={errorFor("payee")}
        disabled={lockedForTeen}
      />
      <datalist id={payeeListId}>
        {(payees.data?.items ?? []).map((item) => (
          <option key={item.payee} value={item.payee} />
        ))}
      </datalist>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        {isTransfer ? null : (
          <DirectionToggle
            value={draft.direction}
            onChange={(direction) => set({ direction })}
            disabled={lockedForTeen}
          />
        )}
        <MoneyField
          label="Amount"
          currency={currency}
          value={draft.amountText}
          onValueChange={(amountText) =>
            set({ amountText, direction: directionAfterTyping(amountText, draft.direction) })
          }
          error={errorFor("amount_minor")}
          disabled={lockedForTeen}
          required
        />
      </div>
      {isTransfer ? null : (
        <>
          {draft.splitMode ? (
            <SplitEditor
              lines={draft.lines}
              onChange={(lines) => set({ lines })}
              totalText={draft.amountText}
              currency={currency}
              groups={groups}
              errorFor={errorFor}
            />
          ) : (
            <SelectField
              label="Category"
              value={draft.categoryId}
              onChange={(event) => set({ categoryId: event.target.value })}
              error={errorFor("category_id")}
            >
              <CategoryOptions groups={groups} keepId={draft.categoryId} />
            </SelectField>
          )}
          {offerRule ? (
            <AlwaysDoThis
              payee={draft.payee.trim()}
              checked={alwaysDoThis}
              onChange={setAlwaysDoThis}
            />
          ) : null}
          <Button
            variant="secondary"
            className="self-start"
            aria-pressed={draft.splitMode}
            onClick={() => set({ splitMode: !draft.splitMode })}
          >
            {draft.splitMode ? "Don't split" : "Split across categories"}
          </Button>
        </>
      )}
      <TextField
        label="Memo"
        value={draft.memo}
        maxLength={2000}
        onChange={(event) => set({ memo: event.target.value })}
        error={errorFor("memo")}
        disabled={lockedForTeen}
      />
      <TextField
        label="Tags"
        hint="Optional; separate with commas"
        value={draft.tagsText}
        onChange={(event) => set({ tagsText: event.target.value })}
        error={errorFor("tags") ?? firstTagError(serverError)}
      />
      {editing ? <TransactionReceipts transactionId={editing.id} /> : null}
      <label className="flex min-h-11 items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="size-5 accent-primary"
          checked={draft.pending}
          disabled={lockedForTeen}
          onChange={(event) => set({ pending: event.target.checked })}
        />
        Pending (not yet cleared by the bank)
      </label>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:items-center sm:justify-between">
        {editing && household.isAdult ? (
          <DeleteTransaction
            transaction={base ?? editing}
            onDeleted={() => onClose(onDelete ? undefined : "Transaction deleted.")}
            onConflict={reloadAfterConflict}
            onDeferredDelete={onDelete}
          />
        ) : (
          <span />
        )}
        <div className="flex flex-col-reverse gap-2 sm:flex-row">
          <Button variant="secondary" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button
            type="submit"
            busy={mutation.isPending}
            disabled={splitBlocked || (conflict !== null && "deleted" in conflict)}
          >
            {editing ? (reconciledAsked ? "Save anyway" : "Save") : "Add transaction"}
          </Button>
        </div>
      </div>
    </form>
  );
}

function firstTagError(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const field = Object.keys(error.fieldErrors).find((name) => name.startsWith("tags."));
  return field ? error.fieldErrors[field] : undefined;
}
