"use client";

import { Amount } from "@/components/ui/Amount";
import { Button } from "@/components/ui/Button";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatDate } from "@/lib/dates";

import type { Receipt } from "./api";

interface Props {
  receipt: Receipt;
  onAttach: (transactionId: string) => void;
  onCreate: () => void;
  onDelete: () => void;
  busy: boolean;
}

/** One receipt of the inbox: what was read from it, and what to do with it. */
export function ReceiptCard({ receipt, onAttach, onCreate, onDelete, busy }: Props) {
  const household = useHousehold();
  const suggestion = receipt.suggested_transaction;
  const title = receipt.merchant || receipt.filename || "Receipt";
  return (
    <li className="flex flex-col gap-3 rounded-lg border border-border bg-card p-3 sm:flex-row">
      <a
        href={receipt.download_url ?? undefined}
        target="_blank"
        rel="noreferrer"
        className="flex h-28 w-24 shrink-0 items-center justify-center overflow-hidden rounded border border-border bg-bg text-xs text-muted"
      >
        {receipt.thumbnail_url ? (
          // Short-lived signed links: next/image would cache and resize them server-side.
          // eslint-disable-next-line @next/next/no-img-element
          <img src={receipt.thumbnail_url} alt={`Receipt from ${title}`} className="object-cover" />
        ) : (
          <span>Open PDF</span>
        )}
      </a>
      <div className="flex min-w-0 flex-1 flex-col gap-2">
        <div>
          <h3 className="truncate font-semibold">{title}</h3>
          <p className="text-sm text-muted">
            {receipt.purchased_on ? formatDate(receipt.purchased_on) : "No date read"}
            {" · "}
            {receipt.total_minor !== null ? (
              <Amount minor={receipt.total_minor} currency={household.currency} />
            ) : (
              "no total read"
            )}
          </p>
        </div>
        {receipt.status === "processing" ? (
          <p role="status" className="text-sm text-muted">
            Reading the receipt…
          </p>
        ) : suggestion ? (
          <div className="rounded-md bg-bg p-2 text-sm">
            <p>
              Matches <strong>{suggestion.payee || "a transaction"}</strong> on{" "}
              {formatDate(suggestion.posted_on)} (
              <Amount minor={suggestion.amount_minor} currency={household.currency} />)
            </p>
            <Button size="sm" className="mt-2" busy={busy} onClick={() => onAttach(suggestion.id)}>
              Attach to {suggestion.payee || "this transaction"}
            </Button>
          </div>
        ) : (
          <p className="text-sm text-muted">No matching transaction found.</p>
        )}
        <div className="flex flex-wrap gap-2">
          {receipt.status === "ready" ? (
            <Button size="sm" variant="secondary" onClick={onCreate}>
              Create transaction
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" onClick={onDelete} disabled={busy}>
            Delete
          </Button>
        </div>
      </div>
    </li>
  );
}
