import { afterEach, describe, expect, it, vi } from "vitest";

import { EARLY_REFRESH_SCRIPT, refreshAccessToken } from "@/api/session";

const fetchMock = vi.fn<typeof fetch>();
vi.stubGlobal("fetch", fetchMock);

function tokens(accessToken: string): Response {
  return new Response(JSON.stringify({ access_token: accessToken, expires_in: 900 }), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

const slots = window as unknown as Record<string, unknown>;

describe("the page-load refresh started by the inline script", () => {
  afterEach(() => {
    fetchMock.mockReset();
    delete slots.__fbEarlyRefresh;
    delete slots.__fbRefreshStarted;
    document.cookie = "fb_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
  });

  it("is adopted: the one-time refresh token is presented once", async () => {
    document.cookie = "fb_csrf=csrf-value";
    fetchMock.mockResolvedValueOnce(tokens("from-the-head"));
    // The script as the browser runs it from <head>, before any module.
    new Function(EARLY_REFRESH_SCRIPT)();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/api/v1/auth/refresh");
    expect(new Headers(init?.headers).get("X-CSRF-Token")).toBe("csrf-value");

    await expect(refreshAccessToken()).resolves.toBe("from-the-head");
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("stays quiet without a session cookie, or once the module has refreshed itself", async () => {
    new Function(EARLY_REFRESH_SCRIPT)();
    expect(fetchMock).not.toHaveBeenCalled();

    document.cookie = "fb_csrf=csrf-value";
    fetchMock.mockResolvedValueOnce(tokens("from-the-module"));
    await expect(refreshAccessToken()).resolves.toBe("from-the-module");
    new Function(EARLY_REFRESH_SCRIPT)();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
