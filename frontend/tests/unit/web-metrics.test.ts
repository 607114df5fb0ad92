// @vitest-environment node
/**
 * The web server's /metrics after a short real workload (the API proxy forwarding to a real
 * HTTP server, once answered and once unreachable) exposes every metric name that
 * monitoring/metrics/web-server.txt promises. The dashboards and alert rules are checked
 * against that list by the backend's metric test (backend/tests/monitoring/).
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));

const proxy = await import("@/app/api/v1/[...path]/route");
const metricsRoute = await import("@/app/metrics/route");

const LIST = fileURLToPath(new URL("../../../monitoring/metrics/web-server.txt", import.meta.url));

let backend: Server;

beforeAll(async () => {
  backend = createServer((_request, response) => {
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await new Promise((resolve) => backend.close(resolve));
});

function context(...path: string[]) {
  return { params: Promise.resolve({ path }) };
}

/** Names of the samples in a Prometheus text exposition (histograms give _bucket/_sum/_count). */
function sampleNames(exposition: string): Set<string> {
  return new Set(
    exposition
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => line.split(/[{ ]/, 1)[0] ?? line),
  );
}

describe("the web server's metrics", () => {
  it("exposes every name of monitoring/metrics/web-server.txt after real proxying", async () => {
    process.env.NEXT_PUBLIC_API_URL = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const answered = await proxy.GET(new Request("http://localhost/api/v1/me"), context("me"));
    expect(answered.status).toBe(200);
    // A port nobody listens on: the proxy answers 502 and counts it.
    process.env.NEXT_PUBLIC_API_URL = "http://127.0.0.1:9";
    const unreachable = await proxy.GET(new Request("http://localhost/api/v1/me"), context("me"));
    expect(unreachable.status).toBe(502);

    const response = await metricsRoute.GET();
    const exposition = await response.text();
    expect(exposition).toMatch(
      /family_budget_web_api_proxy_requests_total\{method="GET",status="502"\} 1/,
    );
    const exposed = sampleNames(exposition);
    const promised = readFileSync(LIST, "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    expect(promised.length).toBeGreaterThan(0);
    expect(promised.filter((name) => !exposed.has(name))).toEqual([]);
  });
});
