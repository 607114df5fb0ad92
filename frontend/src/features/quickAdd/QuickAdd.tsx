"use client";

import dynamic from "next/dynamic";
import { useEffect, useState } from "react";

import { Dialog } from "@/components/ui/Dialog";

// Every household page carries the "+", few loads use it: the form's code (transaction
// validation, payee suggestions) comes when the sheet first opens.
const QuickAddForm = dynamic(() => import("./QuickAddForm").then((module) => module.QuickAddForm), {
  loading: () => <p className="text-sm text-muted">Loading…</p>,
});

const NOTICE_MS = 6000;

/**
 * The floating "+" of every household page and its amount-first entry sheet. What was added is
 * announced afterwards (the lists and balances refresh by themselves).
 */
export function QuickAdd() {
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // The confirmation is read once and then gets out of the way of the page.
  useEffect(() => {
    if (!notice) return;
    const timer = window.setTimeout(() => setNotice(null), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [notice]);
  return (
    <>
      <button
        type="button"
        aria-label="Quick add a transaction"
        title="Quick add a transaction"
        onClick={() => {
          setNotice(null);
          setOpen(true);
        }}
        className="fixed right-4 bottom-[calc(4.5rem+env(safe-area-inset-bottom))] z-20 flex size-14 items-center justify-center rounded-full bg-primary text-primary-fg shadow-lg hover:ring-2 hover:ring-fg/25 md:right-6 md:bottom-6"
      >
        <svg aria-hidden viewBox="0 0 24 24" className="size-7" fill="none" stroke="currentColor">
          <path d="M12 5v14M5 12h14" strokeWidth={2.5} strokeLinecap="round" />
        </svg>
      </button>
      <div
        role="status"
        className="pointer-events-none fixed inset-x-0 bottom-[calc(8.5rem+env(safe-area-inset-bottom))] z-20 flex justify-center px-4 md:bottom-24"
      >
        {notice ? (
          <p className="pointer-events-auto max-w-full truncate rounded-full bg-fg px-4 py-2 text-sm text-bg shadow-lg">
            {notice}
          </p>
        ) : null}
      </div>
      <Dialog open={open} onOpenChange={setOpen} title="Quick add">
        {open ? (
          <QuickAddForm
            onDone={(message) => {
              setOpen(false);
              setNotice(message);
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}
