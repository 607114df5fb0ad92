"use client";

import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";

import { Button } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useMarkAllRead, useMarkRead, useNotifications, type NotificationItem } from "./api";
import { ago } from "./kinds";

/** The header's bell: the unread count, and the newest notifications in a panel. */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const container = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const notifications = useNotifications();
  const unread = notifications.data?.unread_count ?? 0;

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (event: MouseEvent) => {
      if (!container.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  return (
    <div ref={container} className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
        className="relative flex min-h-11 min-w-11 items-center justify-center rounded-md hover:bg-bg"
        onClick={() => setOpen((value) => !value)}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 24 24"
          className="h-5 w-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {unread ? (
          <span
            data-testid="unread-count"
            className="absolute right-1 top-1 min-w-5 rounded-full bg-danger px-1 text-center text-xs font-semibold leading-5 text-card"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          id={panelId}
          role="region"
          aria-label="Notifications"
          className="absolute right-0 z-40 mt-1 w-80 max-w-[90vw] rounded-lg border border-border bg-card shadow-lg"
        >
          <NotificationPanel items={notifications.data?.items ?? []} unread={unread} />
          <SettingsLink onFollow={() => setOpen(false)} />
        </div>
      ) : null}
    </div>
  );
}

/** Where what arrives, and how, is chosen: the notification switches on the profile page. */
function SettingsLink({ onFollow }: { onFollow: () => void }) {
  const household = useHousehold();
  return (
    <Link
      href={`/h/${household.id}/profile#notifications`}
      onClick={onFollow}
      className="flex min-h-11 items-center justify-center border-t border-border text-sm font-medium text-primary underline"
    >
      Notification settings
    </Link>
  );
}

function NotificationPanel({ items, unread }: { items: NotificationItem[]; unread: number }) {
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  return (
    <>
      <div className="flex items-center justify-between border-b border-border px-3 py-2">
        <h2 className="text-sm font-semibold">Notifications</h2>
        <Button
          size="sm"
          variant="ghost"
          disabled={!unread}
          busy={markAll.isPending}
          onClick={() => markAll.mutate()}
        >
          Mark all read
        </Button>
      </div>
      {items.length === 0 ? (
        <p className="px-3 py-6 text-center text-sm text-muted">Nothing yet.</p>
      ) : (
        <ul className="max-h-96 overflow-y-auto">
          {items.map((item) => (
            <li key={item.id} className="border-b border-border last:border-0">
              <NotificationRow item={item} onRead={() => markRead.mutate(item.id)} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NotificationRow({ item, onRead }: { item: NotificationItem; onRead: () => void }) {
  const unread = item.read_at === null;
  return (
    <div className={cn("flex gap-2 px-3 py-2 text-sm", unread && "bg-bg")}>
      <div className="min-w-0 flex-1">
        <p className={cn("break-words", unread && "font-semibold")}>
          {unread ? <span className="sr-only">Unread: </span> : null}
          {item.url ? (
            <a href={item.url} className="underline-offset-2 hover:underline" onClick={onRead}>
              {item.title}
            </a>
          ) : (
            item.title
          )}
        </p>
        <p className="break-words text-muted">{item.body}</p>
        <p className="text-xs text-muted">{ago(item.created_at)}</p>
      </div>
      {unread ? (
        <Button size="sm" variant="ghost" onClick={onRead} aria-label={`Mark "${item.title}" read`}>
          Read
        </Button>
      ) : null}
    </div>
  );
}
