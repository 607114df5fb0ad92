"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";

import { cn } from "@/components/ui/cn";
import { useHousehold } from "@/features/households/HouseholdContext";
import { NotificationBell } from "@/features/notifications/NotificationBell";
import { useMe, useSession } from "@/features/session/SessionProvider";
import { ThemeToggle } from "@/features/theme/ThemeToggle";

const SECTIONS = [
  { href: "dashboard", label: "Dashboard" },
  { href: "transactions", label: "Transactions" },
  { href: "import", label: "Import" },
  { href: "budget", label: "Budget" },
  { href: "bills", label: "Bills" },
  { href: "receipts", label: "Receipts" },
  { href: "accounts", label: "Accounts" },
  { href: "bank-connections", label: "Banks" },
  { href: "categories", label: "Categories" },
  { href: "rules", label: "Rules" },
  { href: "exports", label: "Exports" },
  { href: "members", label: "Household" },
  { href: "profile", label: "Profile" },
] as const;

/** The signed-in frame of every household page: household switcher, sections, theme, sign out. */
export function AppShell({ children }: { children: ReactNode }) {
  const household = useHousehold();
  const me = useMe();
  const { logout } = useSession();
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
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-2 px-3 py-2">
          <Link href={`${base}/dashboard`} className="mr-2 text-lg font-bold">
            Family Budget
          </Link>
          <label className="sr-only" htmlFor="household-switcher">
            Household
          </label>
          <select
            id="household-switcher"
            className="min-h-11 max-w-48 rounded-md border border-border bg-card px-2 text-sm"
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
          <div className="ml-auto flex items-center gap-1">
            <span className="hidden text-sm text-muted sm:inline" title={me.email}>
              {me.name} · {household.role}
            </span>
            <NotificationBell />
            <ThemeToggle />
            <button
              type="button"
              className="min-h-11 rounded-md px-3 text-sm hover:bg-bg"
              onClick={async () => {
                await logout();
                router.replace("/login");
              }}
            >
              Sign out
            </button>
          </div>
        </div>
        <nav aria-label="Sections" className="mx-auto max-w-6xl overflow-x-auto px-1">
          <ul className="flex gap-1">
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
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-3 py-4 sm:px-4">
        {children}
      </main>
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
