import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type HibpMode, sha1Hex, startHibpStandIn } from "@/tests/helpers/hibp-stand-in";
import { breachCheckEnabled, isPwnedPassword } from "./breached-password";

const PWNED = "grape jelly 1987";
const UNSEEN = "quiet meadowlark 42";
/** Listed, but with a count of 0: a padding line. */
const PADDING = "amber lantern 7";
let hibp: Awaited<ReturnType<typeof startHibpStandIn>>;
const env = () => ({ PASSWORD_BREACH_CHECK: "hibp", PASSWORD_BREACH_CHECK_URL: hibp.url });

beforeAll(async () => {
  hibp = await startHibpStandIn({ [PWNED]: 1234, [PADDING]: 0 });
});
afterAll(async () => {
  await hibp.close();
});
afterEach(() => {
  hibp.setMode("ok");
  hibp.requests.length = 0;
  vi.restoreAllMocks();
});

describe("isPwnedPassword (Have I Been Pwned's range API)", () => {
  it("is on only with PASSWORD_BREACH_CHECK=hibp", () => {
    expect(breachCheckEnabled({ PASSWORD_BREACH_CHECK: "hibp" })).toBe(true);
    for (const value of [undefined, "", "on", "HIBP"]) expect(breachCheckEnabled({ PASSWORD_BREACH_CHECK: value })).toBe(false);
  });

  it("finds a breached password and not an unseen one", async () => {
    expect(await isPwnedPassword(PWNED, { env: env() })).toBe(true);
    expect(await isPwnedPassword(UNSEEN, { env: env() })).toBe(false);
  });

  it("sends only the first 5 characters of the SHA-1, asking for a padded answer", async () => {
    await isPwnedPassword(PWNED, { env: env() });
    expect(hibp.requests).toHaveLength(1);
    const [request] = hibp.requests;
    expect(request.url).toBe(`/range/${sha1Hex(PWNED).slice(0, 5)}`);
    expect(request.headers["add-padding"]).toBe("true");
    const sent = JSON.stringify(request);
    expect(sent).not.toContain(PWNED);
    expect(sent).not.toContain(sha1Hex(PWNED).slice(5));
  });

  it("reads a padding line (count 0) for the same suffix as not found", async () => {
    expect(await isPwnedPassword(PADDING, { env: env() })).toBe(false);
  });

  for (const [mode, timeoutMs] of [
    ["http503", 2000],
    ["hang", 200],
  ] as [HibpMode, number][]) {
    it(`treats ${mode === "hang" ? "a timeout" : "an HTTP error"} as not found, with a log line that holds neither the password nor its hash`, async () => {
      hibp.setMode(mode);
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const started = Date.now();
      expect(await isPwnedPassword(PWNED, { env: env(), timeoutMs })).toBe(false);
      expect(Date.now() - started).toBeLessThan(timeoutMs + 1000);
      const logged = warn.mock.calls.flat().join("\n");
      expect(logged).toMatch(/^\[password\] the breach check/);
      expect(logged).not.toContain(PWNED);
      expect(logged).not.toContain(sha1Hex(PWNED).slice(0, 5));
    });
  }

  it("treats an unreachable server as not found", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await isPwnedPassword(PWNED, { env: { PASSWORD_BREACH_CHECK_URL: "http://127.0.0.1:9/range/" } })).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
