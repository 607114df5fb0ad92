"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";

import { errorMessage } from "@/api/problem";

import {
  deleteTransaction,
  isVersionConflict,
  refreshTransactions,
  VERSION_CONFLICT_MESSAGE,
} from "./api";
import type { Transaction } from "./form";

/** How long "Deleted — Undo" stays before the delete is sent. */
export const UNDO_WINDOW_MS = 6000;

/**
 * Delete with undo, by holding the DELETE back. A deleted row disappears from the list at once
 * and the request goes out only when the undo window ends, another row is deleted, the page is
 * left or hidden, or the tab closes (then with keepalive). Undo just drops the request.
 *
 * Why not delete at once and restore on undo: a restore re-creates the rows, and anything that
 * changed meanwhile (a bank sync bringing the same bank id back, an import's undo, the other leg
 * of a transfer) could make it add money twice or refuse half a pair. Holding the request back
 * cannot duplicate anything: until it is sent, the transaction simply still exists, and the
 * request carries the version that was read (If-Match), so it never deletes an edit made by
 * someone else in between. The worst case, a browser killed during the window, leaves the
 * transaction in place: nothing is lost, it shows again and can be deleted again.
 */
export function useDeferredDelete(
  householdId: string,
  onFailed: (message: { tone: "warning" | "error"; text: string }) => void,
) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Transaction | null>(null);
  const held = useRef<{ transaction: Transaction; timer: ReturnType<typeof setTimeout> } | null>(
    null,
  );
  const failed = useRef(onFailed);
  useEffect(() => {
    failed.current = onFailed;
  }, [onFailed]);

  const send = useCallback(
    (options: { keepalive?: boolean } = {}) => {
      const current = held.current;
      if (!current) return;
      clearTimeout(current.timer);
      held.current = null;
      setPending(null);
      deleteTransaction(householdId, current.transaction, options)
        .catch((error: unknown) =>
          failed.current(
            isVersionConflict(error)
              ? { tone: "warning", text: `Not deleted. ${VERSION_CONFLICT_MESSAGE}` }
              : { tone: "error", text: `Not deleted: ${errorMessage(error)}` },
          ),
        )
        .finally(() => void refreshTransactions(queryClient, householdId));
    },
    [householdId, queryClient],
  );

  const schedule = useCallback(
    (transaction: Transaction) => {
      send(); // one held delete at a time: an earlier one goes now
      held.current = { transaction, timer: setTimeout(() => send(), UNDO_WINDOW_MS) };
      setPending(transaction);
    },
    [send],
  );

  const undo = useCallback(() => {
    if (held.current) clearTimeout(held.current.timer);
    held.current = null;
    setPending(null);
  }, []);

  useEffect(() => {
    // A hidden tab may be discarded without another event: send while it still can.
    const onHidden = () => document.visibilityState === "hidden" && send({ keepalive: true });
    const onPageHide = () => send({ keepalive: true });
    document.addEventListener("visibilitychange", onHidden);
    window.addEventListener("pagehide", onPageHide);
    return () => {
      document.removeEventListener("visibilitychange", onHidden);
      window.removeEventListener("pagehide", onPageHide);
      send(); // leaving the page inside the app
    };
  }, [send]);

  return { pending, schedule, undo };
}

/** The rows a held delete removes: the transaction, and the other leg of a transfer. */
export function isHeldBack(item: Transaction, pending: Transaction | null): boolean {
  if (!pending) return false;
  if (item.id === pending.id) return true;
  const transferId = pending.transfer?.transfer_id;
  return transferId !== undefined && item.transfer?.transfer_id === transferId;
}
