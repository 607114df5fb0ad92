"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";

import { useCalendarFeed, useCreateCalendarFeed, useRevokeCalendarFeed } from "./api";

/** The caller's private iCal URL: made (or replaced), shown once to copy, revoked. */
export function CalendarFeed({ householdId }: { householdId: string }) {
  const feed = useCalendarFeed(householdId);
  const create = useCreateCalendarFeed(householdId);
  const revoke = useRevokeCalendarFeed(householdId);
  const [copied, setCopied] = useState(false);
  const url = create.data?.url;
  const active = feed.data?.active ?? false;

  return (
    <Card title="Calendar feed">
      <div className="flex flex-col gap-3">
        <p className="text-sm text-muted">
          A private address your calendar app can subscribe to. Anyone with it can read the bill
          calendar, so keep it to yourself; a new one replaces the old.
        </p>
        <FormError error={create.error ?? revoke.error} />
        {url ? (
          <div className="flex flex-col gap-2">
            <label htmlFor="calendar-feed-url" className="text-sm font-medium">
              Your calendar address (shown once)
            </label>
            <input
              id="calendar-feed-url"
              readOnly
              value={url}
              className="min-h-11 rounded-md border border-border bg-bg px-2 text-sm"
              onFocus={(event) => event.target.select()}
            />
          </div>
        ) : null}
        <div className="flex flex-wrap gap-2">
          {url ? (
            <Button
              variant="secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(url).then(() => setCopied(true));
              }}
            >
              {copied ? "Copied" : "Copy address"}
            </Button>
          ) : null}
          <Button
            variant="secondary"
            busy={create.isPending}
            onClick={() => {
              setCopied(false);
              create.mutate();
            }}
          >
            {active ? "Make a new address" : "Make a calendar address"}
          </Button>
          {active ? (
            <Button
              variant="danger"
              busy={revoke.isPending}
              onClick={() => {
                create.reset();
                revoke.mutate();
              }}
            >
              Revoke
            </Button>
          ) : null}
        </div>
        <p role="status" className="text-sm text-muted">
          {active ? "A calendar address is active." : "No calendar address."}
        </p>
      </div>
    </Card>
  );
}
