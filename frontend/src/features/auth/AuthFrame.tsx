import Link from "next/link";
import type { ReactNode } from "react";

import { cn } from "@/components/ui/cn";

import { ThemeToggle } from "@/features/theme/ThemeToggle";

/**
 * The frame of the pages before (and just around) signing in: app name, theme, one centred card.
 */
export function AuthFrame({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex items-center justify-between px-4 py-2">
        <Link href="/" className="flex min-h-11 items-center text-lg font-bold">
          Family Budget
        </Link>
        <ThemeToggle />
      </header>
      <main
        id="main"
        className="flex flex-1 items-start justify-center px-4 pb-10 pt-4 sm:items-center sm:pt-0"
      >
        <div className="w-full max-w-md rounded-lg border border-border bg-card p-5 shadow-sm sm:p-7">
          {children}
        </div>
      </main>
    </div>
  );
}

export function AuthHeading({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="mb-5">
      <h1 className="text-2xl font-bold">{title}</h1>
      {children ? <p className="mt-1 text-sm text-muted">{children}</p> : null}
    </div>
  );
}

/** A plain text link in the forms' footers, tall enough to tap. */
export function TextLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link
      href={href}
      className="inline-flex min-h-11 items-center font-medium text-primary underline-offset-2 hover:underline"
    >
      {children}
    </Link>
  );
}

/** A link that looks like a Button: for navigation that is the main action of a page. */
export function LinkButton({
  href,
  secondary = false,
  children,
}: {
  href: string;
  secondary?: boolean;
  children: ReactNode;
}) {
  return (
    <Link
      href={href}
      className={cn(
        "inline-flex min-h-11 items-center justify-center rounded-md px-4 text-sm font-medium",
        secondary
          ? "border border-border bg-card text-fg hover:bg-bg"
          : "bg-primary text-primary-fg hover:ring-2 hover:ring-fg/25",
      )}
    >
      {children}
    </Link>
  );
}
