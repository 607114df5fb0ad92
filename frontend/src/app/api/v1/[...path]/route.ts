/**
 * The browser talks to one origin: this server forwards /api/v1/* to the backend. That keeps
 * the backend's SameSite=Strict session cookies first-party and lets page scripts read the CSRF
 * cookie (which the backend sets for exactly this origin), whatever host the API runs on.
 */
import { backendUrl } from "@/lib/server/backend";
import { webMetrics } from "@/lib/server/metrics";

export const dynamic = "force-dynamic";

// Hop-by-hop headers (RFC 9110 §7.6.1) and ones fetch computes itself are not forwarded.
const DROPPED_REQUEST_HEADERS = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
  "content-length",
  "accept-encoding",
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-encoding",
  "content-length",
  "set-cookie",
]);

// The login and refresh answers also carry the refresh token in their bodies for API clients
// without cookies. The browser gets it only as the HttpOnly cookie, so no script can read it.
const SESSION_ISSUING_PATHS = new Set(["auth/login", "auth/login/two-factor", "auth/refresh"]);

type RouteContext = { params: Promise<{ path: string[] }> };

async function forward(request: Request, context: RouteContext): Promise<Response> {
  const { path } = await context.params;
  const subpath = path.map(encodeURIComponent).join("/");
  const incoming = new URL(request.url);
  const target = `${backendUrl()}/api/v1/${subpath}${incoming.search}`;

  const headers = new Headers();
  request.headers.forEach((value, name) => {
    if (!DROPPED_REQUEST_HEADERS.has(name.toLowerCase())) headers.set(name, value);
  });
  // Only the last address of X-Forwarded-For is the one a proxy of ours saw (the load balancer
  // appends the address that connected to it); earlier entries are whatever the client sent, and
  // the API's per-address rate limits must not take those on trust.
  const forwardedFor = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  if (forwardedFor) headers.set("X-Forwarded-For", forwardedFor);
  headers.set("X-Forwarded-Host", request.headers.get("host") ?? incoming.host);
  headers.set(
    "X-Forwarded-Proto",
    request.headers.get("x-forwarded-proto") ?? incoming.protocol.replace(":", ""),
  );

  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const metrics = webMetrics();
  const stopTimer = metrics.apiProxyDuration.startTimer({ method: request.method });
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: "manual",
      cache: "no-store",
    });
  } catch {
    stopTimer();
    metrics.apiProxyRequests.inc({ method: request.method, status: "502" });
    return Response.json(
      {
        type: "about:blank",
        title: "Bad Gateway",
        status: 502,
        detail: "The Family Budget API is not reachable right now. Try again in a moment.",
        code: "api_unreachable",
      },
      { status: 502, headers: { "Content-Type": "application/problem+json" } },
    );
  }
  stopTimer();
  metrics.apiProxyRequests.inc({ method: request.method, status: String(upstream.status) });

  const responseHeaders = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) responseHeaders.set(name, value);
  });
  for (const cookie of upstream.headers.getSetCookie())
    responseHeaders.append("Set-Cookie", cookie);

  if (SESSION_ISSUING_PATHS.has(path.join("/")) && upstream.ok) {
    const body = (await upstream.json()) as Record<string, unknown>;
    delete body.refresh_token;
    return Response.json(body, { status: upstream.status, headers: responseHeaders });
  }
  const nullBody = upstream.status === 204 || upstream.status === 304 || request.method === "HEAD";
  return new Response(nullBody ? null : upstream.body, {
    status: upstream.status,
    headers: responseHeaders,
  });
}

export const GET = forward;
export const POST = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;
export const HEAD = forward;
