/**
 * Browser push: the service worker (public/push-sw.js), the PushManager subscription and the
 * device the API knows it as (its id is kept in localStorage to unsubscribe later).
 */
export const SERVICE_WORKER_URL = "/push-sw.js";
const DEVICE_ID_KEY = "family-budget:push-device-id";

export function pushSupported(): boolean {
  return (
    typeof window !== "undefined" &&
    "serviceWorker" in navigator &&
    "PushManager" in window &&
    "Notification" in window
  );
}

/** The applicationServerKey: base64url (as the API serves it) to the bytes PushManager wants. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = (value + "=".repeat((4 - (value.length % 4)) % 4))
    .replace(/-/g, "+")
    .replace(/_/g, "/");
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration(SERVICE_WORKER_URL);
  return registration ? registration.pushManager.getSubscription() : null;
}

export async function subscribe(publicKey: string): Promise<PushSubscription> {
  const registration = await navigator.serviceWorker.register(SERVICE_WORKER_URL);
  await navigator.serviceWorker.ready;
  return registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: base64UrlToBytes(publicKey),
  });
}

export function rememberDevice(id: string | null): void {
  if (id) localStorage.setItem(DEVICE_ID_KEY, id);
  else localStorage.removeItem(DEVICE_ID_KEY);
}

export function rememberedDevice(): string | null {
  return localStorage.getItem(DEVICE_ID_KEY);
}
