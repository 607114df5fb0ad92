import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/problem";
import type { Transaction } from "@/features/transactions/form";
import {
  isHeldBack,
  UNDO_WINDOW_MS,
  useDeferredDelete,
} from "@/features/transactions/useDeferredDelete";

const sent = vi.hoisted(() => ({
  calls: [] as { id: string; version: number; keepalive: boolean }[],
  fail: null as unknown,
}));

vi.mock("@/features/transactions/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/features/transactions/api")>()),
  deleteTransaction: (
    _householdId: string,
    transaction: { id: string; version: number },
    options: { keepalive?: boolean } = {},
  ) => {
    sent.calls.push({
      id: transaction.id,
      version: transaction.version,
      keepalive: options.keepalive ?? false,
    });
    return sent.fail ? Promise.reject(sent.fail) : Promise.resolve(null);
  },
}));

function transaction(id: string, transferId: string | null = null): Transaction {
  return {
    id,
    account_id: "a1",
    posted_on: "2026-11-25",
    amount_minor: -1250,
    payee: "Corner cafe",
    memo: "",
    category_id: null,
    status: "posted",
    cleared: "uncleared",
    tags: [],
    splits: [],
    transfer: transferId
      ? {
          transfer_id: transferId,
          counterpart_account_id: "a2",
          counterpart_transaction_id: `${id}-other`,
          from_account_id: "a1",
          from_account_name: "Checking",
          to_account_id: "a2",
          to_account_name: "Savings",
          moved_minor: 1250,
        }
      : null,
    receipt_count: 0,
    version: 3,
    created_at: "2026-11-25T10:00:00Z",
    updated_at: "2026-11-25T10:00:00Z",
  };
}

function setup() {
  const failures: { tone: string; text: string }[] = [];
  const client = new QueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const hook = renderHook(() => useDeferredDelete("h1", (failure) => failures.push(failure)), {
    wrapper,
  });
  return { hook, failures };
}

beforeEach(() => {
  vi.useFakeTimers();
  sent.calls = [];
  sent.fail = null;
});
afterEach(() => {
  vi.useRealTimers();
});

describe("delete with undo", () => {
  it("sends the delete, once and at the version read, only when the undo window ends", () => {
    const { hook } = setup();
    act(() => hook.result.current.schedule(transaction("t1")));
    expect(hook.result.current.pending?.id).toBe("t1");

    act(() => vi.advanceTimersByTime(UNDO_WINDOW_MS - 1));
    expect(sent.calls).toEqual([]);
    act(() => vi.advanceTimersByTime(1));
    expect(sent.calls).toEqual([{ id: "t1", version: 3, keepalive: false }]);
    expect(hook.result.current.pending).toBeNull();

    act(() => vi.advanceTimersByTime(UNDO_WINDOW_MS * 3));
    expect(sent.calls).toHaveLength(1);
  });

  it("sends nothing after undo", () => {
    const { hook } = setup();
    act(() => hook.result.current.schedule(transaction("t1")));
    act(() => hook.result.current.undo());
    act(() => vi.advanceTimersByTime(UNDO_WINDOW_MS * 2));
    hook.unmount();

    expect(sent.calls).toEqual([]);
  });

  it("sends an earlier held delete when another row is deleted", () => {
    const { hook } = setup();
    act(() => hook.result.current.schedule(transaction("t1")));
    act(() => hook.result.current.schedule(transaction("t2")));

    expect(sent.calls.map((call) => call.id)).toEqual(["t1"]);
    expect(hook.result.current.pending?.id).toBe("t2");
  });

  it("sends at once when the page is left, hidden or closed", () => {
    const { hook } = setup();
    act(() => hook.result.current.schedule(transaction("t1")));
    act(() => void window.dispatchEvent(new Event("pagehide")));
    expect(sent.calls).toEqual([{ id: "t1", version: 3, keepalive: true }]);

    act(() => hook.result.current.schedule(transaction("t2")));
    hook.unmount();
    expect(sent.calls.map((call) => call.id)).toEqual(["t1", "t2"]);
    act(() => vi.advanceTimersByTime(UNDO_WINDOW_MS * 2));
    expect(sent.calls).toHaveLength(2);
  });

  it("says so when the delete is refused", async () => {
    sent.fail = new ApiError(412, "version_conflict", "The transaction changed");
    const { hook, failures } = setup();
    act(() => hook.result.current.schedule(transaction("t1")));
    await act(async () => {
      vi.advanceTimersByTime(UNDO_WINDOW_MS);
      await Promise.resolve();
    });

    expect(failures).toHaveLength(1);
    expect(failures[0]?.tone).toBe("warning");
    expect(failures[0]?.text).toMatch(/^Not deleted/);
  });

  it("hides both legs of a held transfer", () => {
    const held = transaction("t1", "tr1");
    expect(isHeldBack(transaction("t1"), held)).toBe(true);
    expect(isHeldBack(transaction("t1-other", "tr1"), held)).toBe(true);
    expect(isHeldBack(transaction("t9", "tr2"), held)).toBe(false);
    expect(isHeldBack(transaction("t9"), null)).toBe(false);
  });
});
