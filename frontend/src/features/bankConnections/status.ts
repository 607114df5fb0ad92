import type { BankConnection } from "./api";

export type Tone = "success" | "warning" | "error" | "info";

/** What a connection's status means to a family, and how loudly to say it. */
export function statusOf(connection: BankConnection): { label: string; tone: Tone } {
  switch (connection.status) {
    case "syncing":
      return { label: "Connecting: first sync", tone: "info" };
    case "healthy":
      return { label: "Connected", tone: "success" };
    case "needs_reauth":
      return { label: "Sign in again", tone: "warning" };
    case "error":
      return { label: "Not updating", tone: "error" };
    case "disconnected":
      return { label: "Disconnected at the bank", tone: "error" };
  }
}

/** Update mode helps when the bank wants a new sign-in, or when syncing keeps failing. */
export function canFix(connection: BankConnection): boolean {
  return connection.status === "needs_reauth" || connection.status === "error";
}

export function canSync(connection: BankConnection): boolean {
  return connection.status !== "disconnected" && !connection.sync_running;
}

/** "Last updated 2 Dec 2026, 10:42" in the person's time zone, or that it never was. */
export function lastSyncText(lastSyncedAt: string | null, locale?: string): string {
  if (!lastSyncedAt) return "Not updated yet";
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(lastSyncedAt),
  );
  return `Last updated ${when}`;
}

/** A link to every transaction of one account (all months). */
export function accountTransactionsHref(householdId: string, accountId: string): string {
  const params = new URLSearchParams({ month: "all", account: accountId });
  return `/h/${householdId}/transactions?${params.toString()}`;
}
