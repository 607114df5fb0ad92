import type { components } from "@/api/schema";
import { formatMoney, type Currency } from "@/lib/money";

export type AuditEvent = components["schemas"]["AuditEventRead"];

const ROLE_NAMES: Record<string, string> = { owner: "owner", adult: "adult", teen: "teen" };

function role(value: unknown): string {
  return typeof value === "string" ? (ROLE_NAMES[value] ?? value) : "member";
}

function changedFields(details: AuditEvent["details"]): string {
  const names: Record<string, string> = {
    name: "name",
    currency: "currency",
    opening_balance_minor: "opening balance",
    opened_on: "opening date",
    shared_with_user_ids: "sharing",
    kind: "kind",
  };
  const fields = Object.keys(details).map((field) => names[field] ?? field);
  return fields.length ? ` (${fields.join(", ")})` : "";
}

/** One line a person reads in the household's activity log: "Adam renamed account …". */
export function describeEvent(event: AuditEvent, currency: Currency, locale?: string): string {
  const { actor_name: who, target_label: what, details } = event;
  switch (event.action) {
    case "household.updated":
      return `${who} changed the household${changedFields(details)}`;
    case "invitation.created":
      return `${who} invited ${what} as ${role(details.role)}`;
    case "invitation.revoked":
      return `${who} revoked the invitation of ${what}`;
    case "member.joined":
      return `${who} joined as ${role(details.role)}`;
    case "member.role_changed": {
      const [before, after] = Array.isArray(details.role) ? details.role : [];
      return `${who} changed ${what}'s role from ${role(before)} to ${role(after)}`;
    }
    case "member.removed":
      return `${who} removed ${what} from the household`;
    case "member.left":
      return `${who} left the household`;
    case "account.created":
      return `${who} added the account ${what}`;
    case "account.updated":
      return `${who} changed the account ${what}${changedFields(details)}`;
    case "account.archived":
      return `${who} archived the account ${what}`;
    case "account.unarchived":
      return `${who} brought back the account ${what}`;
    case "account.deleted":
      return `${who} deleted the account ${what}`;
    case "budget.assigned":
      return `${who} assigned ${amountText(details.assigned_minor, currency, locale)} to ${what} for ${monthName(details.month, locale)}`;
    case "budget.copied":
      return `${who} copied last month's budget into ${what}`;
    case "budget.moved":
      return `${who} moved ${amountText(details.amount_minor, currency, locale)} (${what}) in ${monthName(details.month, locale)}`;
    case "budget.quick_assigned":
      return `${who} used quick assign in ${what}`;
    case "budget.target_set":
      return `${who} set a target of ${amountText(details.amount_minor, currency, locale)} for ${what}`;
    case "budget.target_cleared":
      return `${who} removed the target of ${what}`;
    case "bank_connection.linked":
      return `${who} connected ${what}`;
    case "bank_connection.removed":
      return `${who} disconnected ${what}`;
    case "export.requested":
      return `${who} exported ${what}`;
    default:
      return `${who}: ${event.action} ${what}`;
  }
}

function amountText(value: unknown, currency: Currency, locale?: string): string {
  return typeof value === "number" ? formatMoney(value, currency, { locale }) : "an amount";
}

function monthName(value: unknown, locale?: string): string {
  if (typeof value !== "string") return "a month";
  return new Date(`${value.slice(0, 7)}-01T00:00:00Z`).toLocaleDateString(locale, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}
