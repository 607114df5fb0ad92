"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";

import { cn } from "@/components/ui/cn";

import { MoreSheet } from "./MoreSheet";
import { MORE_SECTIONS, PHONE_TABS, SECTIONS } from "./sections";

const ICONS: Record<string, ReactNode> = {
  dashboard: <path d="M3 11 12 4l9 7v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z" />,
  transactions: <path d="M4 6h16M4 12h16M4 18h10" />,
  budget: <path d="M4 20V10m6 10V4m6 16v-7m4 7H2" />,
  accounts: <path d="M3 7h18v12H3zM3 11h18M7 15h3" />,
  more: <path d="M5 12h.01M12 12h.01M19 12h.01" />,
};

function TabIcon({ name }: { name: string }) {
  return (
    <svg
      aria-hidden
      viewBox="0 0 24 24"
      className="size-6"
      fill="none"
      stroke="currentColor"
      strokeWidth={name === "more" ? 3 : 1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {ICONS[name]}
    </svg>
  );
}

const TAB = "flex min-h-14 flex-1 flex-col items-center justify-center gap-0.5 text-xs";

/**
 * The phone's navigation: the four daily sections as tabs at the thumb, and "More" opening a
 * sheet with every other section, the theme and sign out. Hidden from the `md` breakpoint on,
 * where the header's tabs have room for everything.
 */
export function BottomTabs({ base, section }: { base: string; section: string }) {
  const [moreOpen, setMoreOpen] = useState(false);
  const inMore = MORE_SECTIONS.some((item) => item.href === section);
  const tabs = SECTIONS.filter((item) => PHONE_TABS.includes(item.href));
  return (
    <>
      <nav
        aria-label="Sections"
        className="fixed inset-x-0 bottom-0 z-20 border-t border-border bg-card pb-[env(safe-area-inset-bottom)] md:hidden"
      >
        <ul className="flex">
          {tabs.map((item) => {
            const active = section === item.href;
            return (
              <li key={item.href} className="flex flex-1">
                <Link
                  href={`${base}/${item.href}`}
                  aria-current={active ? "page" : undefined}
                  className={cn(TAB, active ? "font-semibold text-primary" : "text-muted")}
                >
                  <TabIcon name={item.href} />
                  {item.label}
                </Link>
              </li>
            );
          })}
          <li className="flex flex-1">
            <button
              type="button"
              aria-haspopup="dialog"
              aria-expanded={moreOpen}
              className={cn(TAB, inMore ? "font-semibold text-primary" : "text-muted")}
              onClick={() => setMoreOpen(true)}
            >
              <TabIcon name="more" />
              More
            </button>
          </li>
        </ul>
      </nav>
      <MoreSheet base={base} section={section} open={moreOpen} onOpenChange={setMoreOpen} />
    </>
  );
}
