import { describe, expect, it } from "vitest";
import { openSessionCookie, sealSessionCookie } from "./session-cookie";

const SECRET = "a-secret-of-enough-length-for-tests";
const NAME = "__Secure-authjs.session-token";
const NOW = Date.UTC(2026, 10, 27, 12);

describe("the session cookie seal", () => {
  it("opens what it sealed, with the expiry it was given", () => {
    const value = sealSessionCookie({ st: "tok", mfa: "pending" }, SECRET, NAME, 600, NOW);
    expect(openSessionCookie(value, SECRET, NAME, NOW + 1000)).toMatchObject({ st: "tok", mfa: "pending", iat: NOW / 1000, exp: NOW / 1000 + 600 });
    expect(value).not.toContain("tok");
  });

  it("seals the same claims differently each time (random IV)", () => {
    expect(sealSessionCookie({ st: "tok" }, SECRET, NAME, 600, NOW)).not.toBe(sealSessionCookie({ st: "tok" }, SECRET, NAME, 600, NOW));
  });

  it("refuses a value that expired, was changed, belongs to another cookie or another secret", () => {
    const value = sealSessionCookie({ st: "tok" }, SECRET, NAME, 600, NOW);
    expect(openSessionCookie(value, SECRET, NAME, NOW + 600_000)).toBeNull();
    const bytes = Buffer.from(value.slice(3), "base64url");
    for (const i of [0, 12, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[i] ^= 1;
      expect(openSessionCookie(`s1.${changed.toString("base64url")}`, SECRET, NAME, NOW)).toBeNull();
    }
    expect(openSessionCookie(value, SECRET, "authjs.session-token", NOW)).toBeNull();
    expect(openSessionCookie(value, `${SECRET}x`, NAME, NOW)).toBeNull();
  });

  it("refuses garbage and claims without a session token", () => {
    for (const junk of [undefined, null, "", "s1.", "s1.AAAA", "eyJhbGciOiJkaXIifQ..x.y.z", "x".repeat(5000)]) expect(openSessionCookie(junk, SECRET, NAME, NOW)).toBeNull();
    expect(openSessionCookie(sealSessionCookie({ mfa: "verified" }, SECRET, NAME, 600, NOW), SECRET, NAME, NOW)).toBeNull();
  });
});
