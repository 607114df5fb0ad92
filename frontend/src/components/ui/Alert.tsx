import type { ReactNode } from "react";

import { cn } from "./cn";

const TONES = {
  error: "border-danger text-danger bg-danger-bg",
  warning: "border-warning text-warning bg-warning-bg",
  success: "border-success text-success bg-success-bg",
  info: "border-border text-fg bg-card",
} as const;

/** A message block; errors are announced to screen readers as soon as they appear. */
export function Alert({
  tone = "error",
  children,
  className,
}: {
  tone?: keyof typeof TONES;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn("rounded-md border px-3 py-2 text-sm", TONES[tone], className)}
    >
      {children}
    </div>
  );
}
