"use client";

import { useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, EmptyState, Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";
import { formatDate } from "@/lib/dates";

import { useImports, useUndoImport, type Import, type UndoResult } from "./api";
import { ImportProgress } from "./ImportProgress";

const STATUS_LABELS: Record<Import["status"], string> = {
  preview: "Preview",
  parsing: "Reading…",
  committing: "Importing…",
  committed: "Imported",
  undone: "Undone",
  failed: "Failed",
};

/** Past imports, newest first; a committed one can be undone. */
export function ImportHistory({
  householdId,
  onOpen,
}: {
  householdId: string;
  onOpen: (importId: string) => void;
}) {
  const imports = useImports(householdId);
  const undo = useUndoImport(householdId);
  const [undone, setUndone] = useState<UndoResult | null>(null);
  return (
    <Card title="History">
      <FormError error={undo.error} />
      {undone ? (
        <Alert tone={undone.kept.length ? "warning" : "success"}>
          Removed {undone.removed} transactions.
          {undone.kept.length
            ? ` Kept ${undone.kept.length} edited since: ${undone.kept
                .map((kept) => `${kept.payee || "(no payee)"} on ${formatDate(kept.posted_on)}`)
                .join(", ")}.`
            : null}
        </Alert>
      ) : null}
      {imports.isPending ? (
        <Spinner label="Loading imports" />
      ) : (imports.data?.items ?? []).length === 0 ? (
        <EmptyState title="No imports yet" />
      ) : (
        <ul className="divide-y divide-border" aria-label="Imports">
          {imports.data?.items.map((item) => (
            <li key={item.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <div className="min-w-0">
                <p className="truncate font-medium">{item.filename || "Bank file"}</p>
                <p className="text-sm text-muted">
                  {formatDate(item.created_at.slice(0, 10))} · {item.format.toUpperCase()} ·{" "}
                  <span>{STATUS_LABELS[item.status]}</span>
                  {item.counts.imported !== null && item.counts.imported !== undefined
                    ? ` · ${item.counts.imported} imported`
                    : ` · ${item.counts.new} new, ${item.counts.duplicates} duplicates`}
                  {item.error ? ` · ${item.error}` : null}
                </p>
                <ImportProgress item={item} />
              </div>
              <div className="flex gap-2">
                {item.status === "preview" ? (
                  <Button variant="secondary" size="sm" onClick={() => onOpen(item.id)}>
                    Open
                  </Button>
                ) : null}
                {item.status === "committed" ? (
                  <Button
                    variant="secondary"
                    size="sm"
                    busy={undo.isPending && undo.variables === item.id}
                    aria-label={`Undo import of ${item.filename || "bank file"}`}
                    onClick={() => undo.mutate(item.id, { onSuccess: setUndone })}
                  >
                    Undo
                  </Button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
