import { describe, expect, it } from "vitest";
import { offerSession, takeSession } from "./handoff";
import type { ActiveSession } from "./sessions";

const row = { session: { id: "s1" } } as unknown as ActiveSession;

describe("the gate-to-DAL session handoff", () => {
  it("hands the gate's lookup to the same request once", () => {
    const id = offerSession("token-a", row);
    expect(takeSession(id, "token-a")).toEqual({ current: row });
    expect(takeSession(id, "token-a")).toBeUndefined();
  });

  it("hands over 'no session' too, so the DAL does not ask again", () => {
    const id = offerSession("token-b", null);
    expect(takeSession(id, "token-b")).toEqual({ current: null });
  });

  it("gives nothing to a request with another session token, a made-up id, or too late", () => {
    const id = offerSession("token-c", row);
    expect(takeSession(id, "token-other")).toBeUndefined();
    // A wrong token also burns the entry: it cannot be tried again.
    expect(takeSession(id, "token-c")).toBeUndefined();
    expect(takeSession(crypto.randomUUID(), "token-c")).toBeUndefined();
    expect(takeSession(null, "token-c")).toBeUndefined();
    const old = offerSession("token-d", row, Date.now() - 60_000);
    expect(takeSession(old, "token-d")).toBeUndefined();
  });

  it("drops entries nobody took once they are old", () => {
    const stale = offerSession("token-e", row, Date.now() - 60_000);
    offerSession("token-f", row);
    expect(takeSession(stale, "token-e", Date.now() - 60_000)).toBeUndefined();
  });
});
