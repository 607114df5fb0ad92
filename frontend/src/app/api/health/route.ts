import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

/** The load balancer's health check: the web server is up. It does not call the backend, so a
 * backend outage does not also take the web tasks out of service. */
export function GET(): Response {
  return Response.json(
    { status: "ok", version: APP_VERSION },
    { headers: { "Cache-Control": "no-store" } },
  );
}
