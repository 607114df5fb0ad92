import { describe, expect, it } from "vitest";

import {
  CLEARED_MARKS,
  clearedToggleLabel,
  nextClearedState,
  reconcileStep,
} from "@/features/accounts/register/logic";

describe("cleared marks", () => {
  it("shows c for cleared and R for reconciled", () => {
    expect(CLEARED_MARKS).toEqual({ uncleared: "", cleared: "c", reconciled: "R" });
  });

  it("toggles between cleared and uncleared; a reconciled row goes back to uncleared", () => {
    expect(nextClearedState("uncleared")).toBe("cleared");
    expect(nextClearedState("cleared")).toBe("uncleared");
    expect(nextClearedState("reconciled")).toBe("uncleared");
  });

  it("names the state and what pressing does", () => {
    expect(clearedToggleLabel("uncleared", "Grocer, Mar 5, 2024")).toBe(
      "Uncleared: Grocer, Mar 5, 2024, mark cleared",
    );
    expect(clearedToggleLabel("reconciled", "Rent, Mar 1, 2024")).toBe(
      "Reconciled: Rent, Mar 1, 2024, un-reconcile",
    );
  });
});

describe("reconcile step", () => {
  it("waits for a preview, then offers Finish only at zero", () => {
    expect(reconcileStep(undefined)).toEqual({ kind: "waiting" });
    expect(reconcileStep(null)).toEqual({ kind: "waiting" });
    expect(reconcileStep(0)).toEqual({ kind: "balanced" });
    expect(reconcileStep(-2468)).toEqual({ kind: "difference", differenceMinor: -2468 });
  });
});
