"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";

import { cn } from "@/components/ui/cn";
import { useHousehold } from "@/features/households/HouseholdContext";
import { NotificationBell } from "@/features/notifications/NotificationBell";
import { QuickAdd } from "@/features/quickAdd/QuickAdd";
import { useMe } from "@/features/session/SessionProvider";
import { ThemeToggle } from "@/features/theme/ThemeToggle";

import { BottomTabs } from "./BottomTabs";
import { SECTIONS } from "./sections";
import { SignOutButton } from "./SignOutButton";

/**
 * The signed-in frame of every household page. On a phone: a one-line header (56 px) with the
 * household switcher and notifications, tabs at the bottom with "More" for the rest, and a "+"
 * for a quick transaction. From the `md` breakpoint on, the header also carries every section as
 * a tab, the theme and sign out.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const household = useHousehold();
  const me = useMe();
  const pathname = usePathname();
  const router = useRouter();
  const base = `/h/${household.id}`;
  const section = pathname.slice(base.length + 1).split("/")[0] ?? "";

  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-card focus:p-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-border bg-card">
        <div className="mx-auto flex h-[55px] max-w-6xl items-center gap-2 px-3">
          <Link
            href={`${base}/dashboard`}
            className="shrink-0 text-base font-bold md:mr-2 md:text-lg"
          >
            Family Budget
          </Link>
          <label className="sr-only" htmlFor="household-switcher">
            Household
          </label>
          <select
            id="household-switcher"
            className="min-h-11 w-0 min-w-0 flex-1 truncate rounded-md border border-border bg-card px-2 text-sm md:w-auto md:max-w-48 md:flex-none"
            value={household.id}
            onChange={(event) => {
              const value = event.target.value;
              router.push(
                value === "__new__" ? "/households/new" : `/h/${value}/${section || "dashboard"}`,
              );
            }}
          >
            {me.households.map((membership) => (
              <option key={membership.household_id} value={membership.household_id}>
                {membership.household_name}
              </option>
            ))}
            <option value="__new__">+ New household…</option>
          </select>
          <div className="ml-auto flex shrink-0 items-center gap-1">
            <span className="hidden text-sm text-muted lg:inline" title={me.email}>
              {me.name} · {household.role}
            </span>
            <NotificationBell />
            <span className="hidden md:contents">
              <ThemeToggle />
              <SignOutButton />
            </span>
          </div>
        </div>
        <nav aria-label="Sections" className="mx-auto hidden max-w-6xl px-1 md:block">
          <ul className="flex flex-wrap gap-x-1">
            {SECTIONS.map((item) => {
              const active = section === item.href;
              return (
                <li key={item.href}>
                  <Link
                    href={`${base}/${item.href}`}
                    aria-current={active ? "page" : undefined}
                    className={cn(
                      "flex min-h-11 items-center whitespace-nowrap border-b-2 px-3 text-sm",
                      active
                        ? "border-primary font-semibold text-fg"
                        : "border-transparent text-muted hover:text-fg",
                    )}
                  >
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      </header>
      {me.email_undeliverable ? (
        <UndeliverableEmailBanner profileHref={`${base}/profile`} />
      ) : !me.email_verified ? (
        <VerifyEmailBanner />
      ) : null}
      {/* On a phone the bottom tabs and the "+" float over the end of the page: room for both. */}
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-3 pt-4 pb-36 sm:px-4 md:pb-24">
        {children}
      </main>
      <QuickAdd />
      <BottomTabs base={base} section={section} />
    </div>
  );
}

function VerifyEmailBanner() {
  return (
    <div className="border-b border-border bg-warning-bg px-3 py-2 text-center text-sm text-warning">
      Please confirm your email address: we sent you a link.{" "}
      <Link href="/verify-email" className="underline">
        Resend it
      </Link>
    </div>
  );
}

/** SES said mail to the address bounced or was marked as spam: nothing is sent there any more. */
function UndeliverableEmailBanner({ profileHref }: { profileHref: string }) {
  return (
    <div
      role="status"
      className="border-b border-border bg-warning-bg px-3 py-2 text-center text-sm text-warning"
    >
      Emails to your address are not getting through, so we have stopped sending them.{" "}
      <Link href={profileHref} className="underline">
        Use another address
      </Link>
    </div>
  );
}
