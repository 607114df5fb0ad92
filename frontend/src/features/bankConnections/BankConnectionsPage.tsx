"use client";

import { useState } from "react";

import { ApiError, errorMessage } from "@/api/problem";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useBankConnections, useSyncBankConnection, type BankConnection } from "./api";
import { BankConnectionCard, type ConnectionActions } from "./BankConnectionCard";
import { DisconnectDialog } from "./DisconnectDialog";
import { PlaidLinkLauncher } from "./PlaidLinkLauncher";
import { useBankLink } from "./useBankLink";

/** The household's bank connections: connect a bank, see how each is doing, repair, sync. */
export function BankConnectionsPage() {
  const household = useHousehold();
  const connections = useBankConnections(household.id);
  const sync = useSyncBankConnection(household.id);
  const link = useBankLink(household.id);
  const [disconnecting, setDisconnecting] = useState<BankConnection | null>(null);

  const actions: ConnectionActions | null = household.isAdult
    ? {
        onSync: (connection) => sync.mutate(connection.id),
        onFix: (connection) => link.start({ kind: "fix", connectionId: connection.id }),
        onDisconnect: setDisconnecting,
        busy: link.active !== null,
      }
    : null;
  const list = connections.data ?? [];

  return (
    <>
      <PageHeader
        title="Banks"
        actions={
          household.isAdult ? (
            <Button
              busy={link.active?.kind === "connect"}
              onClick={() => link.start({ kind: "connect" })}
            >
              Connect a bank
            </Button>
          ) : null
        }
      >
        <p className="text-sm text-muted">
          {household.isAdult
            ? "Connected banks send new transactions by themselves; pending ones show as pending and count in the budget."
            : "The banks behind the accounts shared with you."}
        </p>
      </PageHeader>

      <div className="flex flex-col gap-4">
        {link.waitingForBank ? (
          <Alert tone="info">
            <span className="flex flex-wrap items-center gap-3">
              Finish in the bank&apos;s window that opened.
              <Button size="sm" variant="secondary" onClick={link.cancel}>
                Cancel
              </Button>
            </span>
          </Alert>
        ) : null}
        {link.error ? <Alert>{linkErrorText(link.error)}</Alert> : null}
        {link.connected ? (
          <Alert tone="success">
            {link.connected.institution_name} is connected. Its transactions are arriving.
          </Alert>
        ) : null}
        {sync.isError ? <Alert>{errorMessage(sync.error)}</Alert> : null}
        {connections.isPending ? <Spinner label="Loading bank connections" /> : null}
        {connections.isError ? <Alert>{errorMessage(connections.error)}</Alert> : null}
        {connections.isSuccess && list.length === 0 ? (
          <EmptyState title="No bank connected yet">
            {household.isAdult
              ? "Connect a bank and its accounts and transactions come in by themselves."
              : null}
          </EmptyState>
        ) : null}
        {list.map((connection) => (
          <BankConnectionCard key={connection.id} connection={connection} actions={actions} />
        ))}
      </div>

      {link.plaidToken ? (
        <PlaidLinkLauncher
          token={link.plaidToken}
          onSuccess={link.onPlaidSuccess}
          onExit={link.onPlaidExit}
        />
      ) : null}
      {household.isAdult ? (
        <DisconnectDialog connection={disconnecting} onClose={() => setDisconnecting(null)} />
      ) : null}
    </>
  );
}

function linkErrorText(error: unknown): string {
  if (error instanceof ApiError && error.code === "institution_already_linked") {
    return "This bank is already connected. If it stopped updating, use “Fix connection” on it.";
  }
  if (error instanceof Error && !(error instanceof ApiError)) return error.message;
  return errorMessage(error);
}
