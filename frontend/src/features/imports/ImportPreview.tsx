"use client";

import { useMemo, useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { Amount } from "@/components/ui/Amount";
import { Button } from "@/components/ui/Button";
import { Card, Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";
import { useAccounts } from "@/features/accounts/api";
import { flattenCategories, useCategoryGroups } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatDate } from "@/lib/dates";

import {
  ROWS_PAGE,
  useCommitImport,
  useImport,
  useImportRows,
  useUndoImport,
  useUpdateImport,
  type ImportRow,
} from "./api";
import { ImportProgress } from "./ImportProgress";
import { MappingForm } from "./MappingForm";

/** One import's preview: counts, the CSV mapping, the rows with include toggles, commit. */
export function ImportPreview({
  householdId,
  importId,
  onClose,
}: {
  householdId: string;
  importId: string;
  onClose: () => void;
}) {
  const household = useHousehold();
  const imported = useImport(householdId, importId);
  const item = imported.data;
  const rows = useImportRows(householdId, item);
  const update = useUpdateImport(householdId, importId);
  const commit = useCommitImport(householdId);
  const discard = useUndoImport(householdId);
  const accounts = useAccounts(householdId);
  const groups = useCategoryGroups(householdId);
  const [committed, setCommitted] = useState<number | null>(null);
  // Toggles show at once; the server's answer (the rows refetched) agrees with them.
  const [overrides, setOverrides] = useState<Record<number, boolean>>({});
  const categoryNames = useMemo(
    () =>
      new Map(
        flattenCategories(groups.data ?? [], { includeHidden: true }).map((c) => [c.id, c.name]),
      ),
    [groups.data],
  );
  if (!item) return imported.isPending ? <Spinner label="Loading the preview" /> : null;
  const account = accounts.data?.find((a) => a.id === item.account_id);
  const currency = account
    ? { code: account.currency, exponent: account.currency_exponent }
    : household.currency;
  const includes = (row: ImportRow) => overrides[row.line] ?? row.include;
  const included = (rows.data?.items ?? []).filter(includes).length;

  function toggle(row: ImportRow) {
    const include = !includes(row);
    setOverrides({ ...overrides, [row.line]: include });
    update.mutate({ rows: [{ line: row.line, include }] });
  }

  return (
    <Card title={`Preview of ${item.filename || "the bank file"}`}>
      <div className="flex flex-col gap-3">
        <FormError error={update.error ?? commit.error ?? discard.error} />
        <ImportProgress item={item} />
        <p className="text-sm" role="status">
          {item.counts.total} rows · {item.counts.new} new · {item.counts.duplicates} duplicates ·{" "}
          {item.counts.errors} errors
          {account ? ` · into ${account.name}` : null}
        </p>
        {item.date_order_ambiguous ? (
          <Alert tone="warning">
            The dates fit more than one format ({item.date_format_candidates.join(" or ")}). Choose
            the date format below and re-read the file.
          </Alert>
        ) : null}
        {item.format === "csv" && item.status === "preview" ? (
          <MappingForm
            item={item}
            busy={update.isPending}
            onSubmit={(options) => update.mutate({ options })}
          />
        ) : null}
        {committed !== null ? (
          <Alert tone="success">Imported {committed} transactions.</Alert>
        ) : null}
        {rows.data ? (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" aria-label="Preview rows">
              <thead>
                <tr className="text-left text-muted">
                  <th className="p-1">Import</th>
                  <th className="p-1">Line</th>
                  <th className="p-1">Date</th>
                  <th className="p-1">Payee</th>
                  <th className="p-1 text-right">Amount</th>
                  <th className="p-1">Category</th>
                  <th className="p-1">Status</th>
                </tr>
              </thead>
              <tbody>
                {rows.data.items.map((row) => (
                  <tr key={row.line} className="border-t border-border">
                    <td className="p-1">
                      <input
                        type="checkbox"
                        aria-label={`Import line ${row.line}`}
                        checked={includes(row)}
                        disabled={row.status === "error" || item.status !== "preview"}
                        onChange={() => toggle(row)}
                      />
                    </td>
                    <td className="p-1 tabular">{row.line}</td>
                    <td className="p-1">{row.posted_on ? formatDate(row.posted_on) : "—"}</td>
                    <td className="p-1" title={row.payee_original}>
                      {row.payee || row.payee_original}
                    </td>
                    <td className="p-1 text-right">
                      {row.amount_minor !== null ? (
                        <Amount minor={row.amount_minor} currency={currency} />
                      ) : (
                        "—"
                      )}
                    </td>
                    <td className="p-1">
                      {row.category_id ? (categoryNames.get(row.category_id) ?? "") : ""}
                    </td>
                    <td className="p-1">
                      {row.status === "duplicate"
                        ? row.duplicate
                          ? `Duplicate of ${row.duplicate.payee || "a transaction"} on ${formatDate(
                              row.duplicate.posted_on,
                            )}`
                          : "Repeated in the file"
                        : row.status === "error"
                          ? `Error: ${row.error ?? ""}`
                          : "New"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {item.counts.total > ROWS_PAGE ? (
              <p className="text-sm text-muted">
                Showing the first {ROWS_PAGE} of {item.counts.total} rows.
              </p>
            ) : null}
          </div>
        ) : null}
        {item.status === "preview" ? (
          <div className="flex flex-wrap gap-2">
            <Button
              busy={commit.isPending}
              onClick={() =>
                commit.mutate(item.id, {
                  onSuccess: (result) => setCommitted(result.counts?.imported ?? null),
                })
              }
            >
              {item.counts.total > ROWS_PAGE ? "Import" : `Import ${included} transactions`}
            </Button>
            <Button
              variant="secondary"
              busy={discard.isPending}
              onClick={() => discard.mutate(item.id, { onSuccess: onClose })}
            >
              Discard
            </Button>
          </div>
        ) : (
          <Button variant="secondary" className="self-start" onClick={onClose}>
            Close
          </Button>
        )}
      </div>
    </Card>
  );
}
