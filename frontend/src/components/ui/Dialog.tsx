"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import { useRef, type ReactNode } from "react";

/** What a person fills in; the Close button comes first in the dialog, but is not where to start. */
const FIELDS =
  "input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled)";

/**
 * The element focused last outside any dialog. A field with autoFocus takes focus as it mounts,
 * before Radix reports the opening, so by then document.activeElement no longer names the opener.
 */
let lastFocusOutsideDialogs: Element | null = null;
if (typeof document !== "undefined") {
  document.addEventListener(
    "focusin",
    (event) => {
      if (event.target instanceof Element && !event.target.closest('[role="dialog"]'))
        lastFocusOutsideDialogs = event.target;
    },
    true,
  );
}

/**
 * A modal with a title, focus trapped inside, closed by Escape or the Close button. Opening it
 * puts focus on its first field (or, with none, on its first button); closing it gives focus back
 * to what opened it, which Radix only does for its own Trigger, and our dialogs open from state.
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
}) {
  const content = useRef<HTMLDivElement>(null);
  const opener = useRef<Element | null>(null);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <RadixDialog.Content
          ref={content}
          onOpenAutoFocus={(event) => {
            // Focus is still on whatever opened the dialog, unless a field inside took it first.
            const active = document.activeElement;
            opener.current =
              active && !content.current?.contains(active) ? active : lastFocusOutsideDialogs;
            const field = content.current?.querySelector<HTMLElement>(FIELDS);
            if (field) {
              event.preventDefault();
              field.focus();
            }
          }}
          onCloseAutoFocus={(event) => {
            const target = opener.current;
            opener.current = null;
            // The opener may be gone (a deleted row): then focus stays where Radix leaves it.
            if (target instanceof HTMLElement && target.isConnected) {
              event.preventDefault();
              target.focus();
            }
          }}
          className="fixed inset-x-0 bottom-0 z-50 max-h-[92dvh] overflow-y-auto rounded-t-xl border border-border bg-card p-5 text-fg shadow-xl sm:inset-auto sm:top-1/2 sm:left-1/2 sm:w-full sm:max-w-lg sm:-translate-x-1/2 sm:-translate-y-1/2 sm:rounded-xl"
          {...(description ? {} : { "aria-describedby": undefined })}
        >
          <div className="mb-4 flex items-start justify-between gap-4">
            <RadixDialog.Title className="text-lg font-semibold">{title}</RadixDialog.Title>
            <RadixDialog.Close
              className="min-h-11 min-w-11 rounded-md text-muted hover:bg-bg"
              aria-label="Close"
            >
              ✕
            </RadixDialog.Close>
          </div>
          {description ? (
            <RadixDialog.Description className="mb-4 text-sm text-muted">
              {description}
            </RadixDialog.Description>
          ) : null}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/**
 * A dialog's buttons: side by side at the end on wider screens, stacked with the
 * main one on top on phones.
 */
export function DialogActions({ children }: { children: ReactNode }) {
  return <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">{children}</div>;
}
