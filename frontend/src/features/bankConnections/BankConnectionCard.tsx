"use client";

import Link from "next/link";

import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { cn } from "@/components/ui/cn";
import { useHousehold } from "@/features/households/HouseholdContext";

import type { BankConnection } from "./api";
import {
  accountTransactionsHref,
  canFix,
  canSync,
  lastSyncText,
  statusOf,
  type Tone,
} from "./status";

const TONES: Record<Tone, string> = {
  success: "border-success text-success bg-success-bg",
  warning: "border-warning text-warning bg-warning-bg",
  error: "border-danger text-danger bg-danger-bg",
  info: "border-border text-fg bg-card",
};

export interface ConnectionActions {
  onSync: (connection: BankConnection) => void;
  onFix: (connection: BankConnection) => void;
  onDisconnect: (connection: BankConnection) => void;
  busy: boolean;
}

/** One bank connection: its status, last update, accounts, and (adults) what can be done. */
export function BankConnectionCard({
  connection,
  actions,
}: {
  connection: BankConnection;
  actions: ConnectionActions | null;
}) {
  const household = useHousehold();
  const status = statusOf(connection);
  const headingId = `bank-${connection.id}`;
  return (
    <Card
      title={<span id={headingId}>{connection.institution_name}</span>}
      action={
        <span
          className={cn("rounded-full border px-2 py-0.5 text-xs font-medium", TONES[status.tone])}
          data-testid="connection-status"
        >
          {status.label}
        </span>
      }
    >
      <p className="text-sm text-muted" aria-live="polite">
        {lastSyncText(connection.last_synced_at)}
        {connection.sync_running ? " · updating now…" : ""}
      </p>
      {connection.last_error ? (
        <p className="mt-2 text-sm">{connection.last_error.message}</p>
      ) : null}
      {connection.accounts.length > 0 ? (
        <ul className="mt-3 flex flex-col gap-1 text-sm" aria-labelledby={headingId}>
          {connection.accounts.map((account) => (
            <li key={account.id}>
              <Link
                className="underline-offset-2 hover:underline"
                href={accountTransactionsHref(household.id, account.account_id)}
              >
                {account.name}
                {account.mask ? ` ••${account.mask}` : ""}
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {actions ? (
        <div className="mt-4 flex flex-wrap gap-2">
          {canFix(connection) ? (
            <Button busy={actions.busy} onClick={() => actions.onFix(connection)}>
              Fix connection
            </Button>
          ) : null}
          <Button
            variant="secondary"
            disabled={!canSync(connection) || actions.busy}
            onClick={() => actions.onSync(connection)}
          >
            Sync now
          </Button>
          <Button variant="ghost" onClick={() => actions.onDisconnect(connection)}>
            Disconnect
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
