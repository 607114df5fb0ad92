import type { ButtonHTMLAttributes } from "react";

import { cn } from "./cn";

type Variant = "primary" | "secondary" | "danger" | "ghost";

const VARIANTS: Record<Variant, string> = {
  primary: "bg-primary text-primary-fg hover:ring-2 hover:ring-fg/25",
  secondary: "border border-border bg-card text-fg hover:bg-bg",
  danger: "bg-danger text-card hover:ring-2 hover:ring-fg/25",
  ghost: "text-fg hover:bg-bg",
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: "md" | "sm";
  /** Shows a busy state and blocks further clicks (double submits) while a request runs. */
  busy?: boolean;
}

/** Touch-sized (44px tall by default) button; `busy` disables it and announces the state. */
export function Button({
  variant = "primary",
  size = "md",
  busy = false,
  className,
  disabled,
  children,
  type = "button",
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={cn(
        "inline-flex items-center justify-center gap-2 rounded-md font-medium transition disabled:cursor-not-allowed disabled:opacity-60",
        size === "md" ? "min-h-11 px-4 text-sm" : "min-h-9 px-3 text-sm",
        VARIANTS[variant],
        className,
      )}
      {...rest}
    >
      {busy ? (
        <span
          aria-hidden
          className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent"
        />
      ) : null}
      {children}
    </button>
  );
}
