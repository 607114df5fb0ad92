// @vitest-environment node
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// "server-only" refuses to load outside Next's server bundles; here the route runs in plain Node.
vi.mock("server-only", () => ({}));

const { GET, POST } = await import("@/app/api/v1/[...path]/route");

/** A real HTTP server standing in for the API: records what reached it, answers like the API. */
let backend: Server;
let received: { path: string; headers: IncomingHttpHeaders } | null = null;

beforeAll(async () => {
  backend = createServer((request, response) => {
    received = { path: request.url ?? "", headers: request.headers };
    if (request.url === "/api/v1/auth/login") {
      response.setHeader("Set-Cookie", [
        "fb_refresh=secret; HttpOnly; Path=/api/v1/auth",
        "fb_csrf=abc; Path=/",
      ]);
      response.setHeader("Content-Type", "application/json");
      response.end(
        JSON.stringify({
          access_token: "access",
          refresh_token: "secret",
          token_type: "bearer",
          expires_in: 900,
        }),
      );
      return;
    }
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  process.env.NEXT_PUBLIC_API_URL = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => backend.close(resolve));
});

function context(...path: string[]) {
  return { params: Promise.resolve({ path }) };
}

describe("the /api/v1 proxy", () => {
  it("forwards the path and query, and only the last X-Forwarded-For address", async () => {
    const response = await GET(
      new Request("http://localhost:3000/api/v1/households/h1/transactions?limit=5", {
        headers: { "X-Forwarded-For": "6.6.6.6, 10.0.0.7" },
      }),
      context("households", "h1", "transactions"),
    );
    expect(response.status).toBe(200);
    expect(received?.path).toBe("/api/v1/households/h1/transactions?limit=5");
    expect(received?.headers["x-forwarded-for"]).toBe("10.0.0.7");
    expect(received?.headers["x-forwarded-host"]).toBe("localhost:3000");
  });

  it("passes the session cookies on but keeps the refresh token out of the login body", async () => {
    const response = await POST(
      new Request("http://localhost:3000/api/v1/auth/login", {
        method: "POST",
        body: JSON.stringify({ email: "a@example.com", password: "x" }),
        headers: { "Content-Type": "application/json" },
      }),
      context("auth", "login"),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      access_token: "access",
      token_type: "bearer",
      expires_in: 900,
    });
    expect(response.headers.getSetCookie()).toEqual([
      "fb_refresh=secret; HttpOnly; Path=/api/v1/auth",
      "fb_csrf=abc; Path=/",
    ]);
  });

  it("answers 502 with a problem document when the API cannot be reached", async () => {
    const reachable = process.env.NEXT_PUBLIC_API_URL;
    process.env.NEXT_PUBLIC_API_URL = "http://127.0.0.1:9"; // the discard port: nothing listens
    try {
      const response = await GET(new Request("http://localhost:3000/api/v1/me"), context("me"));
      expect(response.status).toBe(502);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ status: 502, code: "api_unreachable" });
    } finally {
      process.env.NEXT_PUBLIC_API_URL = reachable;
    }
  });
});

describe("the web server's own endpoints", () => {
  it("/api/health answers 200 with the version", async () => {
    const { GET: health } = await import("@/app/api/health/route");
    const response = health();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", version: expect.any(String) });
  });

  it("/metrics counts the proxied calls by method and status", async () => {
    const { GET: metrics } = await import("@/app/metrics/route");
    const count = async (status: number) => {
      const text = await (await metrics()).text();
      const line = new RegExp(
        `family_budget_web_api_proxy_requests_total\\{method="GET",status="${status}"\\} (\\d+)`,
      ).exec(text);
      return line ? Number(line[1]) : 0;
    };
    const before = { ok: await count(200), unreachable: await count(502) };

    // One call that reaches the API and one that cannot, made here: the test does not lean on
    // whatever the tests above it happened to send.
    expect((await GET(new Request("http://localhost:3000/api/v1/me"), context("me"))).status).toBe(
      200,
    );
    const reachable = process.env.NEXT_PUBLIC_API_URL;
    process.env.NEXT_PUBLIC_API_URL = "http://127.0.0.1:9";
    try {
      expect(
        (await GET(new Request("http://localhost:3000/api/v1/me"), context("me"))).status,
      ).toBe(502);
    } finally {
      process.env.NEXT_PUBLIC_API_URL = reachable;
    }

    expect({ ok: await count(200), unreachable: await count(502) }).toEqual({
      ok: before.ok + 1,
      unreachable: before.unreachable + 1,
    });
    expect(await (await metrics()).text()).toContain("family_budget_web_process_cpu_seconds_total");
  });
});
