"use client";

import Link from "next/link";

import { cn } from "@/components/ui/cn";
import { Dialog } from "@/components/ui/Dialog";
import { useHousehold } from "@/features/households/HouseholdContext";
import { useMe } from "@/features/session/SessionProvider";
import { ThemeToggle } from "@/features/theme/ThemeToggle";

import { MORE_SECTIONS } from "./sections";
import { SignOutButton } from "./SignOutButton";

/** The phone's "More": every section without a tab, who is signed in, theme and sign out. */
export function MoreSheet({
  base,
  section,
  open,
  onOpenChange,
}: {
  base: string;
  section: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const me = useMe();
  const household = useHousehold();
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="More">
      <nav aria-label="More sections">
        <ul className="grid grid-cols-2 gap-2">
          {MORE_SECTIONS.map((item) => {
            const active = section === item.href;
            return (
              <li key={item.href}>
                <Link
                  href={`${base}/${item.href}`}
                  aria-current={active ? "page" : undefined}
                  onClick={() => onOpenChange(false)}
                  className={cn(
                    "flex min-h-12 items-center rounded-md border px-3 text-sm",
                    active ? "border-primary font-semibold" : "border-border hover:bg-bg",
                  )}
                >
                  {item.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="mt-4 flex items-center justify-between gap-2 border-t border-border pt-3">
        <p className="min-w-0 truncate text-sm text-muted" title={me.email}>
          {me.name} · {household.role}
        </p>
        <div className="flex shrink-0 items-center gap-1">
          <ThemeToggle />
          <SignOutButton />
        </div>
      </div>
    </Dialog>
  );
}
