import { describe, expect, it } from "vitest";
import { relaySession, takeRelayedSession } from "./relay";
import type { ActiveSession } from "./sessions";

const row = { session: { id: "s1" } } as unknown as ActiveSession;

describe("the gate-to-DAL session relay", () => {
  it("hands the gate's lookup to the same request once", () => {
    const id = relaySession("token-a", row);
    expect(takeRelayedSession(id, "token-a")).toEqual({ current: row });
    expect(takeRelayedSession(id, "token-a")).toBeUndefined();
  });

  it("hands over 'no session' too, so the DAL does not ask again", () => {
    const id = relaySession("token-b", null);
    expect(takeRelayedSession(id, "token-b")).toEqual({ current: null });
  });

  it("gives nothing to a request with another session token, a made-up id, or too late", () => {
    const id = relaySession("token-c", row);
    expect(takeRelayedSession(id, "token-other")).toBeUndefined();
    // A wrong token also burns the entry: it cannot be tried again.
    expect(takeRelayedSession(id, "token-c")).toBeUndefined();
    expect(takeRelayedSession(crypto.randomUUID(), "token-c")).toBeUndefined();
    expect(takeRelayedSession(null, "token-c")).toBeUndefined();
    const old = relaySession("token-d", row, Date.now() - 60_000);
    expect(takeRelayedSession(old, "token-d")).toBeUndefined();
  });

  it("drops entries nobody took once they are old", () => {
    const stale = relaySession("token-e", row, Date.now() - 60_000);
    relaySession("token-f", row);
    expect(takeRelayedSession(stale, "token-e", Date.now() - 60_000)).toBeUndefined();
  });
});
