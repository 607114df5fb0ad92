import { describe, expect, it } from "vitest";

import { describeEvent, type AuditEvent } from "@/features/audit/describe";

const USD = { code: "USD", exponent: 2 };

function event(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    id: 1,
    created_at: "2026-12-02T07:00:00Z",
    actor_id: "00000000-0000-4000-8000-000000000001",
    actor_name: "Olive",
    action: "account.created",
    target_type: "account",
    target_id: null,
    target_label: "Checking",
    details: {},
    ...overrides,
  };
}

describe("describeEvent", () => {
  it.each([
    [event({}), "Olive added the account Checking"],
    [
      event({ action: "account.updated", details: { name: ["Old", "Checking"], opened_on: [] } }),
      "Olive changed the account Checking (name, opening date)",
    ],
    [
      event({
        action: "member.role_changed",
        target_label: "Tess",
        details: { role: ["teen", "adult"] },
      }),
      "Olive changed Tess's role from teen to adult",
    ],
    [
      event({
        action: "invitation.created",
        target_label: "gran@example.com",
        details: { role: "adult" },
      }),
      "Olive invited gran@example.com as adult",
    ],
    [event({ action: "member.left", target_label: "Olive" }), "Olive left the household"],
    [
      event({
        action: "budget.assigned",
        target_label: "Groceries",
        details: { month: "2024-05-01", assigned_minor: 40_050 },
      }),
      "Olive assigned $400.50 to Groceries for May 2024",
    ],
    [
      event({
        action: "budget.moved",
        target_label: "Dining out → Groceries",
        details: { month: "2024-05-01", amount_minor: 2_500 },
      }),
      "Olive moved $25.00 (Dining out → Groceries) in May 2024",
    ],
    [
      event({ action: "bank_connection.removed", target_label: "Chase" }),
      "Olive disconnected Chase",
    ],
  ])("%#: %s", (input, expected) => {
    expect(describeEvent(input, USD, "en-US")).toBe(expected);
  });
});
