"use client";

import { FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useAttachReceipt, useReceipts, useUploadReceipt } from "./api";
import { ReceiptPicker } from "./ReceiptPicker";

/** The receipts of a transaction in its dialog, and a button to photograph or pick another. */
export function TransactionReceipts({ transactionId }: { transactionId: string }) {
  const household = useHousehold();
  const receipts = useReceipts(household.id, { transactionId });
  const upload = useUploadReceipt(household.id);
  const attach = useAttachReceipt(household.id);
  const attached = receipts.data?.items ?? [];

  async function add(file: File) {
    const receipt = await upload.mutateAsync({
      file,
      presigned: receipts.data?.presigned_upload ?? false,
    });
    await attach.mutateAsync({ receiptId: receipt.id, transactionId });
  }

  return (
    <section aria-label="Receipts" className="flex flex-col gap-2">
      <h3 className="text-sm font-medium">Receipts</h3>
      {attached.length > 0 ? (
        <ul className="flex flex-wrap gap-2">
          {attached.map((receipt, index) => (
            <li key={receipt.id}>
              <a
                href={receipt.download_url ?? undefined}
                target="_blank"
                rel="noreferrer"
                className="text-sm text-primary underline"
              >
                {receipt.merchant || receipt.filename || `Receipt ${index + 1}`}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-muted">No receipt attached.</p>
      )}
      <FormError error={upload.error ?? attach.error} />
      <ReceiptPicker
        label="Attach a receipt"
        busy={upload.isPending || attach.isPending}
        onFile={(file) => void add(file).catch(() => undefined)}
        className="self-start"
      />
    </section>
  );
}
