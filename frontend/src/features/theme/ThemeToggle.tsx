"use client";

import { useSyncExternalStore } from "react";

import { applyThemeChoice, readThemeChoice, type ThemeChoice } from "./theme";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemeChoice, string> = {
  system: "Theme: system",
  light: "Theme: light",
  dark: "Theme: dark",
};
const ICON: Record<ThemeChoice, string> = { system: "◐", light: "☀", dark: "☾" };

const changed = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  changed.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    changed.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, readThemeChoice, () => "system" as const);
  return (
    <button
      type="button"
      className="min-h-11 min-w-11 rounded-md text-lg hover:bg-bg"
      aria-label={`${LABEL[choice]} (change)`}
      title={LABEL[choice]}
      onClick={() => {
        const next = NEXT[choice];
        applyThemeChoice(next);
        changed.forEach((listener) => listener());
      }}
    >
      <span aria-hidden>{ICON[choice]}</span>
    </button>
  );
}
