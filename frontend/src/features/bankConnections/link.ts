/**
 * Opening the demo bank's stand-in for Plaid Link (with real Plaid keys, react-plaid-link opens
 * Plaid's own; see PlaidLinkLauncher). The demo bank's page runs in a popup and posts its result
 * with window.postMessage; a message is accepted only from the demo bank's origin and with its
 * `source` tag (backend: demo_bank/link_page.py describes the message).
 */

export const DEMO_MESSAGE_SOURCE = "family-budget-demo-bank";

export type LinkResult = { type: "success"; publicToken: string } | { type: "exit" };

/** The result a message carries, or null when it is not the demo bank's Link message. */
export function linkResultFrom(
  event: Pick<MessageEvent, "origin" | "data">,
  demoOrigin: string,
): LinkResult | null {
  if (event.origin !== demoOrigin) return null;
  const data: unknown = event.data;
  if (typeof data !== "object" || data === null) return null;
  const message = data as { source?: unknown; type?: unknown; public_token?: unknown };
  if (message.source !== DEMO_MESSAGE_SOURCE) return null;
  if (message.type === "success" && typeof message.public_token === "string") {
    return { type: "success", publicToken: message.public_token };
  }
  if (message.type === "exit") return { type: "exit" };
  return null;
}

/** The demo Link page's address, telling it which origin to post its result to. */
export function demoLinkAddress(demoLinkUrl: string, appOrigin: string): string {
  const url = new URL(demoLinkUrl);
  url.searchParams.set("origin", appOrigin);
  return url.toString();
}

/**
 * Waits for the demo bank's Link result in `popup` (opened by the caller inside the click, so
 * that popup blockers allow it). Resolves null when `signal` aborts (the person cancelled).
 */
export function awaitDemoLink(
  popup: Window,
  demoLinkUrl: string,
  signal: AbortSignal,
): Promise<LinkResult | null> {
  const demoOrigin = new URL(demoLinkUrl).origin;
  popup.location.href = demoLinkAddress(demoLinkUrl, window.location.origin);
  return new Promise((resolve) => {
    const finish = (result: LinkResult | null) => {
      window.removeEventListener("message", onMessage);
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onMessage = (event: MessageEvent) => {
      const result = linkResultFrom(event, demoOrigin);
      if (result) finish(result);
    };
    const onAbort = () => {
      if (!popup.closed) popup.close();
      finish(null);
    };
    window.addEventListener("message", onMessage);
    signal.addEventListener("abort", onAbort);
  });
}
