"use client";

import Link from "next/link";
import type { ReactNode } from "react";

import { Amount } from "@/components/ui/Amount";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatDate } from "@/lib/dates";

import type { Account } from "./api";
import { KIND_GROUP_LABELS, accountCurrency, type KindGroup } from "./logic";

export interface AccountActions {
  onEdit: (account: Account) => void;
  onSetArchived: (account: Account, archived: boolean) => void;
  onDelete: (account: Account) => void;
  /** The account whose archive or unarchive request is running. */
  busyAccountId: string | null;
}

/** One section per kind: cards on a phone, a table from the sm breakpoint up. */
export function AccountList({
  groups,
  actions,
}: {
  groups: KindGroup<Account>[];
  actions: AccountActions | null;
}) {
  return (
    <div className="flex flex-col gap-4">
      {groups.map((group) => (
        <Card key={group.kind} title={KIND_GROUP_LABELS[group.kind]}>
          <ul className="flex flex-col divide-y divide-border sm:hidden">
            {group.accounts.map((account) => (
              <li key={account.id} className="py-3 first:pt-0 last:pb-0">
                <AccountCard account={account} actions={actions} />
              </li>
            ))}
          </ul>
          {/* Fixed column widths line the tables of all kinds up with each other. */}
          <table className="hidden w-full table-fixed text-sm sm:table">
            <caption className="sr-only">{KIND_GROUP_LABELS[group.kind]}</caption>
            <colgroup>
              <col />
              <col className="w-32" />
              <col className="w-36" />
              {actions ? <col className="w-72" /> : null}
            </colgroup>
            <thead>
              <tr className="border-b border-border text-left text-muted">
                <th scope="col" className="py-2 pr-3 font-medium">
                  Name
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Opened
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Balance
                </th>
                {actions ? (
                  <th scope="col" className="py-2 text-right font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {group.accounts.map((account) => (
                <tr
                  key={account.id}
                  className={
                    account.archived_at
                      ? "border-b border-border text-muted last:border-0"
                      : "border-b border-border last:border-0"
                  }
                >
                  <th scope="row" className="py-2 pr-3 text-left font-medium">
                    <AccountName account={account} />
                  </th>
                  <td className="py-2 pr-3 whitespace-nowrap">{formatDate(account.opened_on)}</td>
                  <td className="py-2 pr-3 text-right">
                    <AccountBalance account={account} />
                  </td>
                  {actions ? (
                    <td className="py-2 text-right">
                      <RowActions account={account} actions={actions} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ))}
    </div>
  );
}

function AccountCard({ account, actions }: { account: Account; actions: AccountActions | null }) {
  return (
    <div className={account.archived_at ? "text-muted" : undefined}>
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="font-medium">
            <AccountName account={account} />
          </p>
          <p className="text-xs text-muted">Opened {formatDate(account.opened_on)}</p>
        </div>
        <AccountBalance account={account} className="text-base font-semibold" />
      </div>
      {actions ? (
        <div className="mt-2">
          <RowActions account={account} actions={actions} />
        </div>
      ) : null}
    </div>
  );
}

function AccountName({ account }: { account: Account }) {
  const household = useHousehold();
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Link
        href={`/h/${household.id}/accounts/${account.id}`}
        className="wrap-anywhere text-primary underline-offset-2 hover:underline"
      >
        {account.name}
      </Link>
      {account.archived_at ? <Badge>Archived</Badge> : null}
      {account.currency !== household.currency.code ? <Badge>{account.currency}</Badge> : null}
      {household.isAdult && account.shared_with_user_ids.length > 0 ? (
        <Badge title="Teens this account is shared with can see it">
          Shared with{" "}
          {account.shared_with_user_ids.length === 1
            ? "1 teen"
            : `${account.shared_with_user_ids.length} teens`}
        </Badge>
      ) : null}
    </span>
  );
}

function AccountBalance({ account, className }: { account: Account; className?: string }) {
  const household = useHousehold();
  return (
    <Amount
      minor={account.balance_minor}
      currency={accountCurrency(account, household.currency)}
      className={className}
    />
  );
}

function Badge({ children, title }: { children: ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className="rounded-full border border-border bg-bg px-2 py-0.5 text-xs font-normal text-muted"
    >
      {children}
    </span>
  );
}

function RowActions({ account, actions }: { account: Account; actions: AccountActions }) {
  const archived = account.archived_at !== null;
  return (
    <div className="flex flex-wrap gap-1 sm:justify-end">
      <Button
        variant="ghost"
        aria-label={`Edit ${account.name}`}
        onClick={() => actions.onEdit(account)}
      >
        Edit
      </Button>
      <Button
        variant="ghost"
        aria-label={`${archived ? "Unarchive" : "Archive"} ${account.name}`}
        busy={actions.busyAccountId === account.id}
        onClick={() => actions.onSetArchived(account, !archived)}
      >
        {archived ? "Unarchive" : "Archive"}
      </Button>
      <Button
        variant="ghost"
        aria-label={`Delete ${account.name}`}
        onClick={() => actions.onDelete(account)}
      >
        Delete
      </Button>
    </div>
  );
}
