import type { ClearedChoice, ClearedState } from "./api";

/** The register's mark for each state: blank, "c" (cleared) or "R" (reconciled). */
export const CLEARED_MARKS: Record<ClearedState, string> = {
  uncleared: "",
  cleared: "c",
  reconciled: "R",
};

export const CLEARED_NAMES: Record<ClearedState, string> = {
  uncleared: "Uncleared",
  cleared: "Cleared",
  reconciled: "Reconciled",
};

/** What a tap on the mark asks for: cleared and uncleared swap; a reconciled row goes back to
 * uncleared (after a confirmation, since it undoes what a statement confirmed). */
export function nextClearedState(state: ClearedState): ClearedChoice {
  return state === "uncleared" ? "cleared" : "uncleared";
}

/** The toggle's accessible name: what it shows and what pressing it does. */
export function clearedToggleLabel(state: ClearedState, rowName: string): string {
  const action =
    state === "uncleared"
      ? "mark cleared"
      : state === "cleared"
        ? "mark uncleared"
        : "un-reconcile";
  return `${CLEARED_NAMES[state]}: ${rowName}, ${action}`;
}

export type ReconcileStep =
  { kind: "waiting" } | { kind: "balanced" } | { kind: "difference"; differenceMinor: number };

/** Which finish the dialog offers for the preview it has (none until one arrived). */
export function reconcileStep(differenceMinor: number | null | undefined): ReconcileStep {
  if (differenceMinor === null || differenceMinor === undefined) return { kind: "waiting" };
  return differenceMinor === 0 ? { kind: "balanced" } : { kind: "difference", differenceMinor };
}
