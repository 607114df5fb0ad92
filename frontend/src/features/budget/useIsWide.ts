"use client";

import { useSyncExternalStore } from "react";

/** Tailwind's `sm` breakpoint: from here on the budget is a table, below it cards. */
const WIDE_QUERY = "(min-width: 640px)";

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(WIDE_QUERY);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/**
 * Whether the screen is wide enough for the table. Only one layout is rendered (not both, one
 * hidden by CSS) so every input exists once for assistive technology and tests.
 */
export function useIsWide(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(WIDE_QUERY).matches,
    () => true,
  );
}
