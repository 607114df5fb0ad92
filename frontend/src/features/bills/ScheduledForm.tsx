"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { DialogActions } from "@/components/ui/Dialog";
import { SelectField, TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import { useAccounts, useMembers } from "@/features/accounts/api";
import { useCategoryGroups } from "@/features/categories/api";
import type { CurrentHousehold } from "@/features/households/HouseholdContext";
import { CategoryOptions } from "@/features/transactions/CategoryOptions";
import { todayIso } from "@/lib/dates";
import { amountInputValue, parseAmount } from "@/lib/money";

import { useSaveScheduled, type Scheduled } from "./api";

/** Common rules by name; anything else is typed as an RRULE. */
const REPEATS: Record<string, string> = {
  "FREQ=MONTHLY": "Every month (on the start date's day; the 31st means the last day)",
  "FREQ=WEEKLY": "Every week",
  "FREQ=WEEKLY;INTERVAL=2": "Every two weeks",
  "FREQ=YEARLY": "Every year",
};
const CUSTOM = "custom";

/** Create or edit a scheduled transaction (a recurring bill). */
export function ScheduledForm({
  household,
  scheduled,
  onDone,
}: {
  household: CurrentHousehold;
  scheduled: Scheduled | null;
  onDone: () => void;
}) {
  const accounts = useAccounts(household.id);
  const members = useMembers(household.id);
  const groups = useCategoryGroups(household.id);
  const save = useSaveScheduled(household.id);
  const initialRule = scheduled?.rrule ?? "FREQ=MONTHLY";
  const [payee, setPayee] = useState(scheduled?.payee ?? "");
  const [amount, setAmount] = useState(
    scheduled ? amountInputValue(-scheduled.amount_minor, household.currency) : "",
  );
  const [amountError, setAmountError] = useState<string | undefined>();
  const [accountId, setAccountId] = useState(scheduled?.account_id ?? "");
  const [categoryId, setCategoryId] = useState(scheduled?.category_id ?? "");
  const [repeat, setRepeat] = useState(initialRule in REPEATS ? initialRule : CUSTOM);
  const [rule, setRule] = useState(initialRule);
  const [startsOn, setStartsOn] = useState(scheduled?.starts_on ?? todayIso());
  const [endsOn, setEndsOn] = useState(scheduled?.ends_on ?? "");
  const [remind, setRemind] = useState(
    scheduled ? String(scheduled.remind_days_before ?? "") : "3",
  );
  const [autoPost, setAutoPost] = useState(scheduled?.auto_post ?? false);
  const [assignee, setAssignee] = useState(scheduled?.assignee_user_id ?? "");

  const openAccounts = (accounts.data ?? []).filter(
    (account) => !account.archived_at || account.id === accountId,
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseAmount(amount, household.currency);
    if (!parsed.ok) {
      setAmountError(parsed.error);
      return;
    }
    setAmountError(undefined);
    save.mutate(
      {
        id: scheduled?.id ?? null,
        body: {
          account_id: accountId || (openAccounts[0]?.id ?? ""),
          payee,
          // Bills are money going out: the amount is typed as a positive number.
          amount_minor: -parsed.minor,
          category_id: categoryId || null,
          rrule: repeat === CUSTOM ? rule : repeat,
          starts_on: startsOn,
          ends_on: endsOn || null,
          remind_days_before: remind === "" ? null : Number(remind),
          auto_post: autoPost,
          assignee_user_id: assignee || null,
        },
      },
      { onSuccess: onDone },
    );
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      <FormError
        error={save.error}
        codeFields={{
          invalid_rrule: "rrule",
          unknown_account: "account_id",
          unknown_category: "category_id",
          unknown_member: "assignee_user_id",
        }}
      />
      <TextField
        label="Payee"
        value={payee}
        onChange={(event) => setPayee(event.target.value)}
        error={fieldError(save.error, "payee")}
        required
      />
      <MoneyField
        label="Amount"
        currency={household.currency}
        value={amount}
        onValueChange={setAmount}
        error={amountError ?? fieldError(save.error, "amount_minor")}
        hint={`${household.currency.code}, paid out`}
      />
      <SelectField
        label="Account"
        value={accountId || (openAccounts[0]?.id ?? "")}
        onChange={(event) => setAccountId(event.target.value)}
        error={fieldError(save.error, "account_id")}
      >
        {openAccounts.map((account) => (
          <option key={account.id} value={account.id}>
            {account.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Category"
        value={categoryId}
        onChange={(event) => setCategoryId(event.target.value)}
        error={fieldError(save.error, "category_id")}
      >
        <CategoryOptions groups={groups.data ?? []} keepId={categoryId || null} />
      </SelectField>
      <SelectField
        label="Repeats"
        value={repeat}
        onChange={(event) => setRepeat(event.target.value)}
      >
        {Object.entries(REPEATS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
        <option value={CUSTOM}>Custom rule (RRULE)</option>
      </SelectField>
      {repeat === CUSTOM ? (
        <TextField
          label="Rule"
          value={rule}
          onChange={(event) => setRule(event.target.value)}
          hint="e.g. FREQ=MONTHLY;BYMONTHDAY=31 or FREQ=WEEKLY;BYDAY=FR"
          error={fieldError(save.error, "rrule")}
        />
      ) : (
        <FieldMessage text={fieldError(save.error, "rrule")} />
      )}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField
          label="First due date"
          type="date"
          value={startsOn}
          onChange={(event) => setStartsOn(event.target.value)}
          error={fieldError(save.error, "starts_on")}
        />
        <TextField
          label="Last due date"
          type="date"
          value={endsOn}
          onChange={(event) => setEndsOn(event.target.value)}
          hint="Optional"
          error={fieldError(save.error, "ends_on")}
        />
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField
          label="Remind days before"
          type="number"
          min={0}
          max={60}
          value={remind}
          onChange={(event) => setRemind(event.target.value)}
          hint="Empty: no reminder"
          error={fieldError(save.error, "remind_days_before")}
        />
        <SelectField
          label="Who pays"
          value={assignee}
          onChange={(event) => setAssignee(event.target.value)}
          error={fieldError(save.error, "assignee_user_id")}
        >
          <option value="">The owners and adults</option>
          {(members.data ?? []).map((member) => (
            <option key={member.user_id} value={member.user_id}>
              {member.name}
            </option>
          ))}
        </SelectField>
      </div>
      <label className="flex min-h-11 items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={autoPost}
          onChange={(event) => setAutoPost(event.target.checked)}
        />
        Record the transaction automatically on each due date
      </label>
      <DialogActions>
        <Button type="button" variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={save.isPending}>
          {scheduled ? "Save" : "Add"}
        </Button>
      </DialogActions>
    </form>
  );
}

function FieldMessage({ text }: { text: string | undefined }) {
  return text ? <p className="text-sm text-danger">{text}</p> : null;
}
