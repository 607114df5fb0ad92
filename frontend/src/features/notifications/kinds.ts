import type { AlertKind } from "./api";

export const KIND_LABELS: Record<AlertKind, string> = {
  bill_reminder: "Bill reminders",
  budget_alert: "Budget alerts",
  account_sync_failure: "Bank connection problems",
  security_alert: "Security alerts",
};

export const KINDS = Object.keys(KIND_LABELS) as AlertKind[];

export const CHANNELS = ["email", "push", "in_app"] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_LABELS: Record<Channel, string> = {
  email: "Email",
  push: "Push",
  in_app: "In the app",
};

/** How long ago, in words: "just now", "5 min ago", "3 h ago", else the date. */
export function ago(iso: string, now: Date = new Date()): string {
  const minutes = Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return new Date(iso).toLocaleDateString();
}
