"use client";

import { useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";
import { useAccounts } from "@/features/accounts/api";
import { useCategoryGroups } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";
import {
  TransactionDialog,
  type TransactionDialogMode,
} from "@/features/transactions/TransactionDialog";

import {
  useAttachReceipt,
  useDeleteReceipt,
  useReceipts,
  useUploadReceipt,
  type Receipt,
} from "./api";
import { ReceiptCard } from "./ReceiptCard";
import { ReceiptPicker } from "./ReceiptPicker";

/** The inbox of receipts not attached to a transaction yet, with the upload button on top. */
export function ReceiptsPage() {
  const household = useHousehold();
  const inbox = useReceipts(household.id, { unmatched: true });
  const accounts = useAccounts(household.id);
  const categories = useCategoryGroups(household.id);
  const upload = useUploadReceipt(household.id);
  const attach = useAttachReceipt(household.id);
  const remove = useDeleteReceipt(household.id);
  const [creating, setCreating] = useState<Receipt | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const receipts = inbox.data?.items ?? [];

  const dialog: TransactionDialogMode | null = creating
    ? {
        kind: "add",
        prefill: {
          postedOn: creating.new_transaction?.posted_on,
          payee: creating.new_transaction?.payee,
          amountMinor: creating.new_transaction?.amount_minor,
        },
      }
    : null;

  return (
    <div>
      <PageHeader
        title="Receipts"
        actions={
          <ReceiptPicker
            label="Add a receipt"
            busy={upload.isPending}
            onFile={(file) => {
              setNotice(null);
              upload.mutate(
                { file, presigned: inbox.data?.presigned_upload ?? false },
                { onSuccess: () => setNotice("Receipt uploaded.") },
              );
            }}
          />
        }
      >
        <p className="text-sm text-muted">
          Photograph a receipt (or pick a photo or PDF): it is matched to its transaction.
        </p>
      </PageHeader>
      {inbox.data && !inbox.data.ocr_available ? (
        <Alert tone="info" className="mb-3">
          Reading receipts is off on this server (Tesseract is not installed): receipts are kept,
          but their date and total are not read. PDFs with text are still read.
        </Alert>
      ) : null}
      {notice ? (
        <Alert tone="success" className="mb-3">
          {notice}
        </Alert>
      ) : null}
      <FormError error={upload.error ?? attach.error ?? remove.error} />
      {inbox.isPending ? (
        <Spinner label="Loading receipts" />
      ) : receipts.length === 0 ? (
        <EmptyState title="No receipts waiting">
          Receipts you add appear here until they are attached to a transaction.
        </EmptyState>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Receipts to match">
          {receipts.map((receipt) => (
            <ReceiptCard
              key={receipt.id}
              receipt={receipt}
              busy={attach.isPending || remove.isPending}
              onAttach={(transactionId) =>
                attach.mutate(
                  { receiptId: receipt.id, transactionId },
                  { onSuccess: () => setNotice("Receipt attached.") },
                )
              }
              onCreate={() => setCreating(receipt)}
              onDelete={() => remove.mutate(receipt.id)}
            />
          ))}
        </ul>
      )}
      <TransactionDialog
        mode={dialog}
        onClose={(message) => {
          setCreating(null);
          if (message) setNotice("Transaction added with its receipt.");
        }}
        accounts={accounts.data ?? []}
        groups={categories.data ?? []}
        onCreated={(transaction) =>
          creating
            ? attach.mutateAsync({ receiptId: creating.id, transactionId: transaction.id })
            : Promise.resolve()
        }
      />
    </div>
  );
}
