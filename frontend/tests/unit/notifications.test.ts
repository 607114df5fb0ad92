import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { ago } from "@/features/notifications/kinds";
import { base64UrlToBytes } from "@/features/notifications/webPush";

describe("base64UrlToBytes (the VAPID key for PushManager.subscribe)", () => {
  it("decodes what Node's base64url encoder wrote, for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString("base64url");
        expect(Array.from(base64UrlToBytes(encoded))).toEqual(Array.from(bytes));
      }),
    );
  });

  it("takes an uncompressed P-256 point of 65 bytes", () => {
    const point = new Uint8Array(65).fill(7);
    point[0] = 4;
    const decoded = base64UrlToBytes(Buffer.from(point).toString("base64url"));
    expect([decoded.length, decoded[0]]).toEqual([65, 4]);
  });
});

describe("ago", () => {
  const now = new Date("2027-03-05T12:00:00Z");
  it.each([
    ["2027-03-05T11:59:30Z", "just now"],
    ["2027-03-05T11:55:00Z", "5 min ago"],
    ["2027-03-05T09:00:00Z", "3 h ago"],
  ])("%s is %s", (iso, expected) => {
    expect(ago(iso, now)).toBe(expected);
  });

  it("shows the date after a day", () => {
    expect(ago("2027-03-01T12:00:00Z", now)).toBe(
      new Date("2027-03-01T12:00:00Z").toLocaleDateString(),
    );
  });
});
