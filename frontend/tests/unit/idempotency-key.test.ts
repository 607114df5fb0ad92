import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The network is the boundary: the real client runs, only the browser's fetch is replaced.
const fetchMock = vi.fn<typeof fetch>();
vi.stubGlobal("fetch", fetchMock);

const { authenticatedFetch } = await import("@/api/client");
const { setAccessToken, clearAccessToken } = await import("@/api/session");

const ORIGIN = "http://localhost";

/** The Idempotency-Key of each request the client sent (not the session's own refresh call). */
function sentKeys(): (string | null)[] {
  return fetchMock.mock.calls
    .map(([input]) => input)
    .filter((input): input is Request => input instanceof Request)
    .map((request) => request.headers.get("Idempotency-Key"));
}

describe("Idempotency-Key on the web app's requests", () => {
  beforeEach(() => {
    fetchMock.mockReset();
    setAccessToken("token", 3600);
  });
  afterEach(() => clearAccessToken());

  it("gives every POST a key of its own", async () => {
    fetchMock.mockResolvedValue(new Response("{}", { status: 201 }));
    const url = `${ORIGIN}/api/v1/households/h/transactions`;
    await authenticatedFetch(new Request(url, { method: "POST", body: "{}" }));
    await authenticatedFetch(new Request(url, { method: "POST", body: "{}" }));
    const [first, second] = sentKeys();
    expect(first).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(second).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(first).not.toBe(second);
  });

  it("keeps the key when a 401 is retried after a refresh", async () => {
    document.cookie = "fb_csrf=csrf-value"; // the session can be refreshed
    fetchMock
      .mockResolvedValueOnce(new Response("{}", { status: 401 }))
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ access_token: "new", expires_in: 900 }), { status: 200 }),
      )
      .mockResolvedValueOnce(new Response("{}", { status: 201 }));
    await authenticatedFetch(
      new Request(`${ORIGIN}/api/v1/households/h/accounts`, { method: "POST", body: "{}" }),
    );
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const [first, retried] = sentKeys();
    expect(first).not.toBeNull();
    expect(retried).toBe(first);
  });

  it("leaves reads and sign-in alone", async () => {
    fetchMock.mockResolvedValue(new Response("{}", { status: 200 }));
    await authenticatedFetch(new Request(`${ORIGIN}/api/v1/households`));
    await authenticatedFetch(
      new Request(`${ORIGIN}/api/v1/auth/login`, { method: "POST", body: "{}" }),
    );
    expect(sentKeys()).toEqual([null, null]);
  });
});
