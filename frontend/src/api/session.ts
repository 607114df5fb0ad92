/**
 * The browser's side of a session. The access token lives only in memory; the refresh token
 * lives only in the backend's HttpOnly cookie (the web server's proxy even strips it from
 * response bodies), so page scripts can never read it. A reload gets a new access token by
 * presenting that cookie plus the readable CSRF cookie's value in a header.
 *
 * Refresh tokens work once: presenting one twice revokes the whole session. So refreshes are
 * serialized — within a tab by sharing one promise, across tabs by a Web Lock — and each tab
 * refreshes with whatever cookie the previous refresh left behind.
 */

const CSRF_COOKIE = "fb_csrf";
const REFRESH_MARGIN_MS = 30_000;
const REFRESH_LOCK = "family-budget-refresh";
/** Where EARLY_REFRESH_SCRIPT leaves its request, and the flag saying this module got there first. */
const EARLY_REFRESH = "__fbEarlyRefresh";
const REFRESH_STARTED = "__fbRefreshStarted";

/**
 * Inlined into every page's <head> (app/layout.tsx): on a page load with a session cookie, the
 * refresh goes out while the HTML is still being parsed, instead of after the page's JavaScript
 * has downloaded and run (a few hundred milliseconds on a phone). It holds the same cross-tab
 * lock as refreshAccessToken until the answer (and its rotated cookie) is in, and does nothing
 * if this module has already started a refresh; refreshAccessToken adopts the answer, so the
 * one-time refresh token is still presented once.
 */
export const EARLY_REFRESH_SCRIPT = `(function(){try{if(window.${REFRESH_STARTED})return;var m=document.cookie.match(/(?:^|;\\s*)${CSRF_COOKIE}=([^;]*)/);if(!m)return;var t=decodeURIComponent(m[1]);var go=function(){return fetch("/api/v1/auth/refresh",{method:"POST",credentials:"same-origin",headers:{"X-CSRF-Token":t},keepalive:true});};window.${EARLY_REFRESH}=navigator.locks?navigator.locks.request("${REFRESH_LOCK}",go):go();}catch(e){}})();`;

let accessToken: string | null = null;
let expiresAt = 0;
let inFlight: Promise<string | null> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

export function setAccessToken(token: string, expiresInSeconds: number): void {
  accessToken = token;
  expiresAt = Date.now() + expiresInSeconds * 1000;
}

export function clearAccessToken(): void {
  const wasSignedIn = accessToken !== null;
  accessToken = null;
  expiresAt = 0;
  if (wasSignedIn) listeners.forEach((listener) => listener(false));
}

/** Called when the session ends without the user asking (refresh refused). */
export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function csrfToken(): string {
  if (typeof document === "undefined") return "";
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** A usable access token, refreshing first when it is missing or about to expire. */
export async function currentAccessToken(): Promise<string | null> {
  if (accessToken && Date.now() < expiresAt - REFRESH_MARGIN_MS) return accessToken;
  return refreshAccessToken();
}

/** Exchange the refresh cookie for a new access token; null when there is no valid session. */
export function refreshAccessToken(): Promise<string | null> {
  if (!inFlight) {
    const early = takeEarlyRefresh();
    inFlight = (early ? adoptEarlyRefresh(early) : withCrossTabLock(doRefresh)).finally(() => {
      inFlight = null;
    });
  }
  return inFlight;
}

/** The page-load refresh EARLY_REFRESH_SCRIPT started, handed out once. */
function takeEarlyRefresh(): Promise<Response> | null {
  if (typeof window === "undefined") return null;
  const slots = window as unknown as Record<string, unknown>;
  slots[REFRESH_STARTED] = true;
  const early = slots[EARLY_REFRESH];
  delete slots[EARLY_REFRESH];
  return early instanceof Promise ? (early as Promise<Response>) : null;
}

async function adoptEarlyRefresh(early: Promise<Response>): Promise<string | null> {
  let response: Response;
  try {
    response = await early;
  } catch {
    // The network failed before an answer: nothing was presented, or nothing was rotated.
    return withCrossTabLock(doRefresh);
  }
  if (response.status === 401 && (await problemCode(response)) === "refresh_token_superseded")
    return withCrossTabLock(doRefresh);
  return finishRefresh(response);
}

const SUPERSEDED_RETRY_DELAY_MS = 300;

async function doRefresh(): Promise<string | null> {
  if (!csrfToken()) {
    clearAccessToken();
    return null;
  }
  let response = await postRefresh();
  if (response.status === 401 && (await problemCode(response)) === "refresh_token_superseded") {
    // Another request (a reload that cut this page's earlier refresh short, another tab) rotated
    // the token moments ago; its answer brings the newer cookie. Give it a moment and try again.
    await new Promise((resolve) => setTimeout(resolve, SUPERSEDED_RETRY_DELAY_MS));
    response = await postRefresh();
  }
  return finishRefresh(response);
}

/** The new access token from a refresh's answer; null (signed out) when it was refused. */
async function finishRefresh(response: Response): Promise<string | null> {
  if (!response.ok) {
    if (response.status >= 500) throw new Error(`refresh failed with ${response.status}`);
    clearAccessToken();
    return null;
  }
  const body = (await response.json()) as { access_token: string; expires_in: number };
  setAccessToken(body.access_token, body.expires_in);
  return body.access_token;
}

function postRefresh(): Promise<Response> {
  return fetch("/api/v1/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken() },
    // Outlives a navigation: if the page unloads mid-refresh, the browser still stores the
    // rotated cookie instead of keeping the old one, which now only works for a moment.
    keepalive: true,
  });
}

async function problemCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { code?: unknown };
    return typeof body.code === "string" ? body.code : undefined;
  } catch {
    return undefined;
  }
}

async function withCrossTabLock<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request(REFRESH_LOCK, work);
  }
  return work();
}
