"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import { ApiError } from "@/api/problem";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type Receipt = components["schemas"]["ReceiptRead"];
export type ReceiptPage = components["schemas"]["ReceiptPage"];
type UploadStart = components["schemas"]["ReceiptUploadRead"];

/** What the camera or file picker may hand over; the server decides by content anyway. */
export const RECEIPT_ACCEPT = "image/*,application/pdf";
/** How often a list with receipts still being read asks again. */
const READING_POLL_MS = 1500;

export function receiptsKey(householdId: string): unknown[] {
  return householdKey(householdId, "receipts");
}

export interface ReceiptFilter {
  unmatched?: boolean;
  transactionId?: string;
}

/** Receipts, newest first; asks again while any is still being read (OCR runs in the worker). */
export function useReceipts(householdId: string, filter: ReceiptFilter = {}) {
  return useQuery({
    queryKey: [...receiptsKey(householdId), "list", filter],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/receipts", {
          params: {
            path: { household_id: householdId },
            query: {
              unmatched: filter.unmatched ?? false,
              ...(filter.transactionId ? { transaction_id: filter.transactionId } : {}),
            },
          },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.items.some((receipt) => receipt.status === "processing")
        ? READING_POLL_MS
        : false,
  });
}

/** The declared type of a picked file, as the presigned POST's condition needs it. */
function uploadType(file: File): "image/jpeg" | "image/png" | "image/heic" | "application/pdf" {
  const type = file.type.toLowerCase();
  if (type === "image/png" || type === "application/pdf" || type === "image/heic") return type;
  if (type === "image/heif" || /\.hei[cf]$/i.test(file.name)) return "image/heic";
  return "image/jpeg";
}

/**
 * Upload one receipt. Where the server keeps files in S3 (`presigned`), the browser sends the file
 * straight there and then confirms it; otherwise the file goes to the API as multipart.
 */
async function uploadReceipt(householdId: string, file: File, presigned: boolean) {
  const path = { household_id: householdId };
  if (!presigned) {
    const form = new FormData();
    form.append("file", file, file.name);
    return (await unwrap(
      api.POST("/api/v1/households/{household_id}/receipts", {
        params: { path },
        // openapi-fetch sends FormData as it is (the browser sets the multipart boundary).
        body: form as unknown as { file: string },
      }),
    )) as Receipt;
  }
  const started = (await unwrap(
    api.POST("/api/v1/households/{household_id}/receipts", {
      params: { path },
      body: { content_type: uploadType(file), size_bytes: file.size, filename: file.name },
    }),
  )) as UploadStart;
  const form = new FormData();
  for (const [name, value] of Object.entries(started.upload.fields)) form.append(name, value);
  form.append("file", file, file.name);
  const stored = await fetch(started.upload.url, { method: "POST", body: form }).catch(() => {
    throw ApiError.network();
  });
  if (!stored.ok)
    throw new ApiError(
      stored.status,
      "upload_refused",
      "The file was not accepted: receipts are JPEG, PNG, HEIC or PDF files of at most 10 MB.",
    );
  return unwrap(
    api.POST("/api/v1/households/{household_id}/receipts/{receipt_id}/confirm", {
      params: { path: { ...path, receipt_id: started.receipt.id } },
    }),
  );
}

export function useUploadReceipt(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, presigned }: { file: File; presigned: boolean }) =>
      uploadReceipt(householdId, file, presigned),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: receiptsKey(householdId) }),
  });
}

/** Attach a receipt to a transaction (or detach it with null). */
export function useAttachReceipt(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      receiptId,
      transactionId,
    }: {
      receiptId: string;
      transactionId: string | null;
    }) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/receipts/{receipt_id}", {
          params: { path: { household_id: householdId, receipt_id: receiptId } },
          body: { transaction_id: transactionId },
        }),
      ),
    // Transactions show how many receipts they have: refresh both.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: householdKey(householdId) }),
  });
}

export function useDeleteReceipt(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (receiptId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/receipts/{receipt_id}", {
          params: { path: { household_id: householdId, receipt_id: receiptId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: householdKey(householdId) }),
  });
}
