"use client";

import { useState, type FormEvent } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { SelectField, TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";
import { addMonths, currentMonth, formatDate, monthRange } from "@/lib/dates";

import { KIND_LABELS, useExports, useRequestExport, type Export, type ExportKind } from "./api";

/** Ask for a CSV or a PDF statement; the list below follows it until its link is ready. */
export function ExportsPage() {
  const household = useHousehold();
  if (!household.isAdult)
    return (
      <div>
        <PageHeader title="Exports" />
        <Alert tone="info">Exports are for the adults of the household.</Alert>
      </div>
    );
  return <AdultExports householdId={household.id} />;
}

function AdultExports({ householdId }: { householdId: string }) {
  const exports = useExports(householdId);
  const request = useRequestExport(householdId);
  const [lastFrom, lastTo] = monthRange(addMonths(currentMonth(), -1));
  const [kind, setKind] = useState<ExportKind>("transactions_csv");
  const [from, setFrom] = useState(lastFrom);
  const [to, setTo] = useState(lastTo);

  function submit(event: FormEvent) {
    event.preventDefault();
    request.mutate({ kind, from, to });
  }

  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Exports">
        <p className="text-sm text-muted">
          Files are made in the background and kept for 30 days; download links last minutes, so
          open them from here.
        </p>
      </PageHeader>
      <Card title="New export">
        <form onSubmit={submit} noValidate className="flex flex-col gap-3">
          <FormError error={request.error} />
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
            <SelectField
              label="What"
              value={kind}
              onChange={(event) => setKind(event.target.value as ExportKind)}
            >
              {Object.entries(KIND_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </SelectField>
            <TextField
              label="From"
              type="date"
              value={from}
              onChange={(event) => setFrom(event.target.value)}
              error={fieldError(request.error, "from")}
            />
            <TextField
              label="To"
              type="date"
              value={to}
              onChange={(event) => setTo(event.target.value)}
              error={fieldError(request.error, "to")}
              hint={kind === "monthly_statement_pdf" ? "A statement covers one month" : undefined}
            />
          </div>
          <Button type="submit" className="self-start" busy={request.isPending}>
            Export
          </Button>
        </form>
      </Card>
      <Card title="Your exports">
        {exports.isPending ? (
          <Spinner label="Loading exports" />
        ) : (exports.data?.items ?? []).length === 0 ? (
          <EmptyState title="No exports in the last 30 days" />
        ) : (
          <ul className="divide-y divide-border" aria-label="Exports">
            {exports.data?.items.map((item) => (
              <ExportRow key={item.id} item={item} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

const STATUS_LABELS: Record<Export["status"], string> = {
  queued: "Waiting…",
  running: "Being made…",
  ready: "Ready",
  failed: "Failed",
};

function ExportRow({ item }: { item: Export }) {
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <div>
        <p className="font-medium">{KIND_LABELS[item.kind]}</p>
        <p className="text-sm text-muted">
          {formatDate(item.from)} – {formatDate(item.to)}
          {item.status === "failed" && item.error ? ` · ${item.error}` : null}
        </p>
      </div>
      {item.status === "ready" && item.download_url ? (
        <a
          href={item.download_url}
          download={item.filename}
          className="inline-flex min-h-11 items-center rounded-md border border-border px-4 text-sm font-medium hover:bg-bg"
        >
          Download {item.filename}
        </a>
      ) : (
        <span role="status" className="text-sm text-muted">
          {STATUS_LABELS[item.status]}
        </span>
      )}
    </li>
  );
}
