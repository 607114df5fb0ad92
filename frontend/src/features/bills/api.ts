"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey } from "@/features/households/HouseholdContext";

export type Scheduled = components["schemas"]["ScheduledRead"];
export type ScheduledBody = components["schemas"]["ScheduledCreate"];
export type Bill = components["schemas"]["BillRead"];
export type CalendarFeed = components["schemas"]["CalendarFeedRead"];

function billsKey(householdId: string): unknown[] {
  return householdKey(householdId, "bills");
}

/** The household's scheduled transactions, each with its next due dates. */
export function useScheduled(householdId: string) {
  return useQuery({
    queryKey: [...billsKey(householdId), "scheduled"],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/scheduled", {
          params: { path: { household_id: householdId } },
        }),
      ),
  });
}

/** The bill calendar from `from` to `to` (both included): due, paid, overdue, who pays. */
export function useBillCalendar(householdId: string, from: string, to: string) {
  return useQuery({
    queryKey: [...billsKey(householdId), "calendar", from, to],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/bills", {
          params: { path: { household_id: householdId }, query: { from, to } },
        }),
      ),
  });
}

export function useSaveScheduled(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: ScheduledBody }) =>
      id
        ? unwrap(
            api.PUT("/api/v1/households/{household_id}/scheduled/{scheduled_id}", {
              params: { path: { household_id: householdId, scheduled_id: id } },
              body,
            }),
          )
        : unwrap(
            api.POST("/api/v1/households/{household_id}/scheduled", {
              params: { path: { household_id: householdId } },
              body,
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: billsKey(householdId) }),
  });
}

export function useDeleteScheduled(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/scheduled/{scheduled_id}", {
          params: { path: { household_id: householdId, scheduled_id: id } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: billsKey(householdId) }),
  });
}

/** Whether the caller has a private calendar URL (the URL is shown only when created). */
export function useCalendarFeed(householdId: string) {
  return useQuery({
    queryKey: [...billsKey(householdId), "feed"],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/bills/calendar-feed", {
          params: { path: { household_id: householdId } },
        }),
      ),
  });
}

export function useCreateCalendarFeed(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/bills/calendar-feed", {
          params: { path: { household_id: householdId } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: [...billsKey(householdId), "feed"] }),
  });
}

export function useRevokeCalendarFeed(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/bills/calendar-feed", {
          params: { path: { household_id: householdId } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: [...billsKey(householdId), "feed"] }),
  });
}
