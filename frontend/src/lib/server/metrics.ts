import "server-only";

import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics of the web server, scraped at /metrics (the design's
 * `frontend.{env}.family-budget.local:3000/metrics`). One registry per process, kept on
 * globalThis because Next.js may evaluate this module once per route bundle.
 */
interface WebMetrics {
  registry: Registry;
  apiProxyRequests: Counter<"method" | "status">;
  apiProxyDuration: Histogram<"method">;
}

const globalKey = Symbol.for("family-budget.web-metrics");
type GlobalWithMetrics = typeof globalThis & { [globalKey]?: WebMetrics };

function createMetrics(): WebMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "family_budget_web_" });
  return {
    registry,
    apiProxyRequests: new Counter({
      name: "family_budget_web_api_proxy_requests_total",
      help: "API calls forwarded from the browser to the backend, by method and status",
      labelNames: ["method", "status"],
      registers: [registry],
    }),
    apiProxyDuration: new Histogram({
      name: "family_budget_web_api_proxy_duration_seconds",
      help: "Time to forward an API call to the backend and receive its response headers",
      labelNames: ["method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export function webMetrics(): WebMetrics {
  const holder = globalThis as GlobalWithMetrics;
  holder[globalKey] ??= createMetrics();
  return holder[globalKey];
}
