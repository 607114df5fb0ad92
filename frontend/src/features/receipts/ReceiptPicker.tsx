"use client";

import { useId, useRef } from "react";

import { cn } from "@/components/ui/cn";

import { RECEIPT_ACCEPT } from "./api";

/**
 * A button that opens the camera on a phone (capture="environment": the rear camera) and the file
 * picker elsewhere. The input itself stays in the page, visually hidden, so its label is what
 * assistive technology and keyboards reach.
 */
export function ReceiptPicker({
  label,
  onFile,
  busy = false,
  className,
}: {
  label: string;
  onFile: (file: File) => void;
  busy?: boolean;
  className?: string;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className={className}>
      <input
        ref={input}
        id={id}
        type="file"
        accept={RECEIPT_ACCEPT}
        capture="environment"
        className="peer sr-only"
        disabled={busy}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) onFile(file);
          // The same photo may be chosen again after a failed upload.
          event.target.value = "";
        }}
      />
      <label
        htmlFor={id}
        aria-busy={busy || undefined}
        className={cn(
          "inline-flex min-h-11 cursor-pointer items-center justify-center gap-2 rounded-md bg-primary px-4 text-sm font-medium text-primary-fg hover:ring-2 hover:ring-fg/25",
          "peer-focus-visible:outline peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-primary",
          busy && "cursor-wait opacity-60",
        )}
      >
        {busy ? "Uploading…" : label}
      </label>
    </div>
  );
}
