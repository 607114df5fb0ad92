"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";

export type NotificationItem = components["schemas"]["NotificationRead"];
export type NotificationPreferences = components["schemas"]["NotificationPreferences"];
export type AlertKind = components["schemas"]["AlertKind"];

const NOTIFICATIONS_KEY = ["me", "notifications"];
const PREFERENCES_KEY = ["me", "notification-preferences"];
// The bell checks for new notifications this often while a page is open.
const POLL_MS = 60_000;

/** The newest notifications and the unread count (the bell's list). */
export function useNotifications() {
  return useQuery({
    queryKey: NOTIFICATIONS_KEY,
    queryFn: () =>
      unwrap(api.GET("/api/v1/me/notifications", { params: { query: { limit: 20 } } })),
    refetchInterval: POLL_MS,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/me/notifications/{notification_id}/read", {
          params: { path: { notification_id: id } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/me/notifications/read-all", {})),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}

export function usePreferences() {
  return useQuery({
    queryKey: PREFERENCES_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/me/notification-preferences")),
  });
}

export function useSavePreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NotificationPreferences) =>
      unwrap(api.PUT("/api/v1/me/notification-preferences", { body })),
    onSuccess: (saved) => queryClient.setQueryData(PREFERENCES_KEY, saved),
  });
}

export async function webPushKey(): Promise<string> {
  return (await unwrap(api.GET("/api/v1/me/devices/web-push-key"))).public_key;
}

export async function registerBrowser(subscription: PushSubscriptionJSON): Promise<string> {
  const { endpoint, keys } = subscription;
  if (!endpoint || !keys?.p256dh || !keys.auth) throw new Error("incomplete push subscription");
  const device = await unwrap(
    api.POST("/api/v1/me/devices", {
      body: {
        platform: "web",
        subscription: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } },
      },
    }),
  );
  return device.id;
}

export async function unregisterDevice(deviceId: string): Promise<void> {
  const { response } = await api.DELETE("/api/v1/me/devices/{device_id}", {
    params: { path: { device_id: deviceId } },
  });
  // 404: already gone (dropped after the push service gave up on it).
  if (!response.ok && response.status !== 404) throw new Error(`status ${response.status}`);
}
