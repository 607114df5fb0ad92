"use client";

import { useState, type DragEvent, type FormEvent } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, PageHeader } from "@/components/ui/Card";
import { SelectField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { useAccounts } from "@/features/accounts/api";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useUploadImport } from "./api";
import { ImportHistory } from "./ImportHistory";
import { ImportPreview } from "./ImportPreview";

/** Bring in a bank file: drop it, choose the account, review the preview, commit; undo later. */
export function ImportPage() {
  const household = useHousehold();
  if (!household.isAdult)
    return (
      <div>
        <PageHeader title="Import" />
        <Alert tone="info">Importing bank files is for the adults of the household.</Alert>
      </div>
    );
  return <AdultImport householdId={household.id} />;
}

function AdultImport({ householdId }: { householdId: string }) {
  const accounts = useAccounts(householdId);
  const upload = useUploadImport(householdId);
  const open = (accounts.data ?? []).filter((account) => !account.archived_at);
  const [file, setFile] = useState<File | null>(null);
  const [accountId, setAccountId] = useState("");
  const [dragging, setDragging] = useState(false);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const chosenAccount = accountId || open[0]?.id || "";

  function drop(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) setFile(dropped);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!file || !chosenAccount) return;
    upload.mutate(
      { file, accountId: chosenAccount },
      { onSuccess: (created) => setCurrentId(created.id) },
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Import">
        <p className="text-sm text-muted">
          CSV, OFX, QFX or QIF files from your bank, up to 20 MB. Nothing is added until you commit
          the preview, and an import can be undone.
        </p>
      </PageHeader>
      <Card title="New import">
        <form onSubmit={submit} noValidate className="flex flex-col gap-3">
          <FormError error={upload.error} />
          <label
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={drop}
            className={`flex min-h-24 cursor-pointer flex-col items-center justify-center gap-1 rounded-md border-2 border-dashed p-4 text-center text-sm ${
              dragging ? "border-primary bg-bg" : "border-border"
            }`}
          >
            <span className="font-medium">
              {file ? file.name : "Drop a bank file here, or choose one"}
            </span>
            <span className="sr-only">Bank file</span>
            <input
              type="file"
              aria-label="Bank file"
              accept=".csv,.txt,.ofx,.qfx,.qif,text/csv,application/x-ofx"
              className="text-sm"
              onChange={(event) => setFile(event.target.files?.[0] ?? null)}
            />
          </label>
          <SelectField
            label="Into account"
            value={chosenAccount}
            onChange={(event) => setAccountId(event.target.value)}
            error={fieldError(upload.error, "account_id")}
          >
            {open.map((account) => (
              <option key={account.id} value={account.id}>
                {account.name} ({account.currency})
              </option>
            ))}
          </SelectField>
          <Button
            type="submit"
            className="self-start"
            busy={upload.isPending}
            disabled={!file || !chosenAccount}
          >
            Preview
          </Button>
        </form>
      </Card>
      {currentId ? (
        <ImportPreview
          householdId={householdId}
          importId={currentId}
          onClose={() => setCurrentId(null)}
        />
      ) : null}
      <ImportHistory householdId={householdId} onOpen={setCurrentId} />
    </div>
  );
}
