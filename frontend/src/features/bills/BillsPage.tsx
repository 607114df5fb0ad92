"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";

import { Amount } from "@/components/ui/Amount";
import { Button } from "@/components/ui/Button";
import { Card, EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { Dialog } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { MonthNav } from "@/features/budget/MonthNav";
import { useHousehold } from "@/features/households/HouseholdContext";
import { currentMonth, formatDate, formatMonth, isMonth, monthRange } from "@/lib/dates";

import {
  useBillCalendar,
  useDeleteScheduled,
  useScheduled,
  type Bill,
  type Scheduled,
} from "./api";
import { CalendarFeed } from "./CalendarFeed";
import { ScheduledForm } from "./ScheduledForm";

const STATUS_LABELS: Record<Bill["status"], string> = {
  paid: "Paid",
  overdue: "Overdue",
  due: "Due",
};
const STATUS_CLASSES: Record<Bill["status"], string> = {
  paid: "border-success text-success",
  overdue: "border-danger text-danger",
  due: "border-border text-muted",
};

/** The bill calendar of a month (?month=YYYY-MM), the scheduled transactions, the iCal link. */
export function BillsPage() {
  const household = useHousehold();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const requested = searchParams.get("month");
  const month = requested && isMonth(requested) ? requested : currentMonth();
  const [from, to] = monthRange(month);
  const calendar = useBillCalendar(household.id, from, to);
  const scheduled = useScheduled(household.id);
  const remove = useDeleteScheduled(household.id);
  // null: closed; "new": a new one; otherwise the one being edited.
  const [editing, setEditing] = useState<Scheduled | "new" | null>(null);

  const goTo = useCallback(
    (next: string) => {
      const params = new URLSearchParams(searchParams.toString());
      if (next === currentMonth()) params.delete("month");
      else params.set("month", next);
      const query = params.toString();
      router.push(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [pathname, router, searchParams],
  );

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title={`Bills · ${formatMonth(month)}`}
        actions={
          <>
            <MonthNav month={month} onChange={goTo} />
            {household.isAdult ? (
              <Button onClick={() => setEditing("new")}>New scheduled transaction</Button>
            ) : null}
          </>
        }
      />
      <Card title="Calendar">
        {calendar.isPending ? (
          <Spinner label="Loading the bills" />
        ) : (calendar.data?.bills ?? []).length === 0 ? (
          <EmptyState title="No bills due this month" />
        ) : (
          <ul className="divide-y divide-border" aria-label="Bills">
            {calendar.data?.bills.map((bill) => (
              <li
                key={`${bill.scheduled_id}-${bill.due_on}`}
                className="flex flex-wrap items-center justify-between gap-2 py-2"
              >
                <div>
                  <p className="font-medium">{bill.payee}</p>
                  <p className="text-sm text-muted">
                    {formatDate(bill.due_on)}
                    {bill.assignee_name ? ` · ${bill.assignee_name} pays` : null}
                    {bill.paid_on ? ` · paid ${formatDate(bill.paid_on)}` : null}
                  </p>
                </div>
                <div className="flex items-center gap-3">
                  <Amount minor={bill.amount_minor} currency={household.currency} />
                  <span
                    className={`rounded-full border px-2 py-0.5 text-xs font-medium ${STATUS_CLASSES[bill.status]}`}
                  >
                    {STATUS_LABELS[bill.status]}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Scheduled transactions">
        <FormError error={remove.error} />
        {scheduled.isPending ? (
          <Spinner label="Loading scheduled transactions" />
        ) : (scheduled.data ?? []).length === 0 ? (
          <EmptyState title="Nothing scheduled yet" />
        ) : (
          <ul className="divide-y divide-border" aria-label="Scheduled transactions">
            {scheduled.data?.map((item) => (
              <li key={item.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <div>
                  <p className="font-medium">
                    {item.payee} <Amount minor={item.amount_minor} currency={household.currency} />
                  </p>
                  <p className="text-sm text-muted">
                    Next: {item.next_occurrences.map((day) => formatDate(day)).join(", ") || "none"}
                    {item.auto_post ? " · recorded automatically" : null}
                  </p>
                </div>
                {household.isAdult ? (
                  <div className="flex gap-2">
                    <Button variant="secondary" onClick={() => setEditing(item)}>
                      Edit<span className="sr-only"> {item.payee}</span>
                    </Button>
                    <Button
                      variant="danger"
                      busy={remove.isPending && remove.variables === item.id}
                      onClick={() => remove.mutate(item.id)}
                    >
                      Delete<span className="sr-only"> {item.payee}</span>
                    </Button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <CalendarFeed householdId={household.id} />
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => (open ? null : setEditing(null))}
        title={editing === "new" ? "New scheduled transaction" : "Edit scheduled transaction"}
      >
        {editing !== null ? (
          <ScheduledForm
            household={household}
            scheduled={editing === "new" ? null : editing}
            onDone={() => setEditing(null)}
          />
        ) : null}
      </Dialog>
    </div>
  );
}
