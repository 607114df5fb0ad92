import { describe, expect, it } from "vitest";

import type { BankConnection } from "@/features/bankConnections/api";
import {
  DEMO_MESSAGE_SOURCE,
  awaitDemoLink,
  demoLinkAddress,
  linkResultFrom,
} from "@/features/bankConnections/link";
import {
  accountTransactionsHref,
  canFix,
  canSync,
  lastSyncText,
  statusOf,
} from "@/features/bankConnections/status";

const DEMO = "http://127.0.0.1:8100";

function connection(overrides: Partial<BankConnection> = {}): BankConnection {
  return {
    id: "c1",
    institution_name: "First Platypus Bank",
    status: "healthy",
    sync_running: false,
    last_synced_at: null,
    last_error: null,
    consent_expires_at: null,
    accounts: [],
    created_at: "2026-03-10T12:00:00Z",
    ...overrides,
  };
}

describe("the demo bank's Link messages", () => {
  const success = { source: DEMO_MESSAGE_SOURCE, type: "success", public_token: "public-1" };

  it("accepts a success from the demo bank's origin", () => {
    expect(linkResultFrom({ origin: DEMO, data: success }, DEMO)).toEqual({
      type: "success",
      publicToken: "public-1",
    });
    expect(
      linkResultFrom({ origin: DEMO, data: { source: DEMO_MESSAGE_SOURCE, type: "exit" } }, DEMO),
    ).toEqual({ type: "exit" });
  });

  it("ignores every other origin, source or shape", () => {
    expect(linkResultFrom({ origin: "http://evil.example", data: success }, DEMO)).toBeNull();
    expect(linkResultFrom({ origin: "http://127.0.0.1:8101", data: success }, DEMO)).toBeNull();
    expect(linkResultFrom({ origin: DEMO, data: { ...success, source: "x" } }, DEMO)).toBeNull();
    expect(
      linkResultFrom({ origin: DEMO, data: { ...success, public_token: 7 } }, DEMO),
    ).toBeNull();
    expect(linkResultFrom({ origin: DEMO, data: "success" }, DEMO)).toBeNull();
    expect(linkResultFrom({ origin: DEMO, data: null }, DEMO)).toBeNull();
  });

  it("tells the Link page which origin to answer", () => {
    const address = new URL(demoLinkAddress(`${DEMO}/link?token=link-1`, "http://localhost:3000"));
    expect(address.origin).toBe(DEMO);
    expect(address.searchParams.get("token")).toBe("link-1");
    expect(address.searchParams.get("origin")).toBe("http://localhost:3000");
  });

  it("resolves with the result, and with nothing when cancelled", async () => {
    const popup = { location: { href: "" }, closed: false, close() {} } as unknown as Window;
    const waiting = awaitDemoLink(popup, `${DEMO}/link?token=t`, new AbortController().signal);
    window.dispatchEvent(
      new MessageEvent("message", { origin: "http://evil.example", data: success }),
    );
    window.dispatchEvent(new MessageEvent("message", { origin: DEMO, data: success }));
    await expect(waiting).resolves.toEqual({ type: "success", publicToken: "public-1" });
    expect(popup.location.href).toContain("origin=");

    const controller = new AbortController();
    const cancelled = awaitDemoLink(popup, `${DEMO}/link?token=t`, controller.signal);
    controller.abort();
    await expect(cancelled).resolves.toBeNull();
  });
});

describe("connection status", () => {
  it("says what each status means and what can be done", () => {
    expect(statusOf(connection()).tone).toBe("success");
    expect(statusOf(connection({ status: "needs_reauth" })).label).toBe("Sign in again");
    expect(canFix(connection({ status: "needs_reauth" }))).toBe(true);
    expect(canFix(connection({ status: "error" }))).toBe(true);
    expect(canFix(connection())).toBe(false);
    expect(canSync(connection())).toBe(true);
    expect(canSync(connection({ sync_running: true }))).toBe(false);
    expect(canSync(connection({ status: "disconnected" }))).toBe(false);
  });

  it("describes the last update", () => {
    expect(lastSyncText(null)).toBe("Not updated yet");
    expect(lastSyncText("2026-03-10T12:00:00Z", "en-US")).toMatch(/^Last updated Mar 10, 2026/);
  });

  it("links to an account's transactions of every month", () => {
    expect(accountTransactionsHref("h1", "a1")).toBe("/h/h1/transactions?month=all&account=a1");
  });
});
