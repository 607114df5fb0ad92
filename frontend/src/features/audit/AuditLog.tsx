"use client";

import { Button } from "@/components/ui/Button";
import { Card, Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useAuditEvents } from "./api";
import { describeEvent } from "./describe";

/** Who changed what in the household: memberships, accounts, budget, banks, exports. */
export function AuditLog() {
  const household = useHousehold();
  const events = useAuditEvents(household.id, household.isOwner);
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card title="Activity log">
      <div className="flex flex-col gap-3">
        <FormError error={events.error} />
        {events.isPending ? <Spinner label="Loading the activity log" /> : null}
        {events.isSuccess && items.length === 0 ? (
          <p className="text-sm text-muted">No changes recorded yet.</p>
        ) : null}
        <ol className="flex flex-col divide-y divide-border" aria-label="Activity log">
          {items.map((event) => (
            <li key={event.id} className="flex flex-col gap-0.5 py-2">
              <span>{describeEvent(event, household.currency)}</span>
              <time className="text-sm text-muted" dateTime={event.created_at}>
                {new Date(event.created_at).toLocaleString(undefined, {
                  dateStyle: "medium",
                  timeStyle: "short",
                })}
              </time>
            </li>
          ))}
        </ol>
        {events.hasNextPage ? (
          <div>
            <Button
              variant="secondary"
              busy={events.isFetchingNextPage}
              onClick={() => void events.fetchNextPage()}
            >
              Show older changes
            </Button>
          </div>
        ) : null}
      </div>
    </Card>
  );
}
