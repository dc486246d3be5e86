import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions } from "@/db/schema";
import {
  claimSession,
  createSession,
  findActiveSession,
  listActiveSessions,
  PENDING_SESSION_MS,
  revokeOtherSessions,
  revokeOwnSession,
  revokeSession,
  sessionAbsoluteMs,
  sessionIdleMs,
} from "@/lib/auth/sessions";
import { sha256 } from "@/lib/crypto/tokens";
import { getTestDb, type TestDb } from "./helpers/db";
import { makeUser } from "./helpers/fixtures";

let t: TestDb;
let userId: string;
let otherUserId: string;
const T0 = new Date("2026-03-01T09:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await getTestDb();
  userId = (await makeUser(t.db, { role: "admin" })).user.id;
  otherUserId = (await makeUser(t.db)).user.id;
});
afterAll(async () => {
  await t?.close();
});

const open = (mfaState: "pending" | "verified" | "not_required" = "not_required", now = T0, user = userId) =>
  createSession(t.db, { userId: user, mfaState, now, handoff: false, ip: "203.0.113.1", userAgent: "test" });

describe("createSession and findActiveSession", () => {
  it("finds the session a token names, with its user and organisation", async () => {
    const { token, session } = await open();
    const found = await findActiveSession(t.db, token, at(1000));
    expect(found?.session.id).toBe(session.id);
    expect(found?.user.id).toBe(userId);
    expect(found?.membership?.role).toBe("admin");
    expect(found?.organisation?.name).toBe("Test Org");
  });

  it("finds nothing for an unknown token or for the stored hash used as a token", async () => {
    const { session } = await open();
    expect(await findActiveSession(t.db, "not-a-token", at(1000))).toBeNull();
    expect(await findActiveSession(t.db, session.tokenHash, at(1000))).toBeNull();
  });

  it("stores only a hash of the token", async () => {
    const { token, session } = await open();
    expect(session.tokenHash).toBe(sha256(token));
    const rows = await t.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("gives every session a different token", async () => {
    const tokens = await Promise.all(Array.from({ length: 10 }, () => open().then((s) => s.token)));
    expect(new Set(tokens).size).toBe(10);
    for (const token of tokens) expect(token.length).toBeGreaterThanOrEqual(43);
  });
});

describe("revocation", () => {
  it("refuses the same cookie once the session is revoked (sign-out replay)", async () => {
    const { token, session } = await open();
    expect(await findActiveSession(t.db, token, at(1000))).not.toBeNull();
    expect(await revokeSession(t.db, session.id, "signed_out", at(2000))).toBe(true);
    expect(await findActiveSession(t.db, token, at(3000))).toBeNull();
  });

  it("revokes once: a second revoke reports nothing to do and keeps the first reason", async () => {
    const { session } = await open();
    expect(await revokeSession(t.db, session.id, "signed_out", at(1000))).toBe(true);
    expect(await revokeSession(t.db, session.id, "other", at(2000))).toBe(false);
    const [row] = await t.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row.revokedReason).toBe("signed_out");
    expect(row.revokedAt).toEqual(at(1000));
  });

  it("revokeOtherSessions ends the user's other sessions but keeps the current one and other users'", async () => {
    const current = await open();
    const other1 = await open("verified");
    const other2 = await open("pending");
    const stranger = await open("not_required", T0, otherUserId);

    const ended = await revokeOtherSessions(t.db, userId, current.session.id, "password_changed", at(1000));

    expect(ended).toBeGreaterThanOrEqual(2);
    expect(await findActiveSession(t.db, current.token, at(2000))).not.toBeNull();
    expect(await findActiveSession(t.db, other1.token, at(2000))).toBeNull();
    expect(await findActiveSession(t.db, other2.token, at(2000))).toBeNull();
    expect(await findActiveSession(t.db, stranger.token, at(2000))).not.toBeNull();
  });

  it("revokeOwnSession ends one's own session and refuses another user's", async () => {
    const mine = await open();
    const theirs = await open("not_required", T0, otherUserId);
    expect(await revokeOwnSession(t.db, userId, theirs.session.id, at(1000))).toBe(false);
    expect(await findActiveSession(t.db, theirs.token, at(2000))).not.toBeNull();
    expect(await revokeOwnSession(t.db, userId, mine.session.id, at(1000))).toBe(true);
    expect(await findActiveSession(t.db, mine.token, at(2000))).toBeNull();
  });
});

describe("handoff sessions", () => {
  const handoff = (now = T0) => createSession(t.db, { userId, mfaState: "verified", now });

  it("are invisible until claimed, then found", async () => {
    const { token, session } = await handoff();
    expect(await findActiveSession(t.db, token, at(1000))).toBeNull();
    expect(await claimSession(t.db, token, at(1000))).toEqual({ id: session.id, userId, mfaState: "verified" });
    expect(await findActiveSession(t.db, token, at(2000))).not.toBeNull();
  });

  it("are claimed once: the second claim gets nothing", async () => {
    const { token } = await handoff();
    expect(await claimSession(t.db, token, at(1000))).not.toBeNull();
    expect(await claimSession(t.db, token, at(2000))).toBeNull();
  });

  it("are claimed by exactly one of ten parallel claims", async () => {
    const { token } = await handoff();
    const claims = await Promise.all(Array.from({ length: 10 }, () => claimSession(t.db, token, at(1000))));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it("cannot be claimed once revoked or expired", async () => {
    const revoked = await handoff();
    await revokeSession(t.db, revoked.session.id, "test", at(500));
    expect(await claimSession(t.db, revoked.token, at(1000))).toBeNull();

    const late = await handoff();
    expect(await claimSession(t.db, late.token, at(sessionAbsoluteMs()))).toBeNull();
  });

  it("cannot be claimed with a session that was never a handoff", async () => {
    const { token } = await open();
    expect(await claimSession(t.db, token, at(1000))).toBeNull();
  });

  it("are left out of the signed-in browsers list until claimed", async () => {
    const { token, session } = await handoff();
    expect((await listActiveSessions(t.db, userId, at(1000))).map((s) => s.id)).not.toContain(session.id);
    await claimSession(t.db, token, at(1000));
    expect((await listActiveSessions(t.db, userId, at(1000))).map((s) => s.id)).toContain(session.id);
  });
});

describe("timeouts", () => {
  it("uses 12 hours idle and 7 days absolute by default", () => {
    expect(sessionIdleMs()).toBe(12 * HOUR);
    expect(sessionAbsoluteMs()).toBe(7 * 24 * HOUR);
  });

  it("refuses a session idle for longer than the idle limit", async () => {
    const { token } = await open();
    expect(await findActiveSession(t.db, token, at(sessionIdleMs() + 1))).toBeNull();
  });

  it("accepts a session used just within the idle limit", async () => {
    const { token } = await open();
    expect(await findActiveSession(t.db, token, at(sessionIdleMs() - 60_000))).not.toBeNull();
  });

  it("keeps a session alive while it is used, past the idle limit", async () => {
    const { token } = await open();
    for (let h = 6; h <= 36; h += 6) expect(await findActiveSession(t.db, token, at(h * HOUR))).not.toBeNull();
  });

  it("ends a session at its absolute expiry even when it is used all the time", async () => {
    const { token } = await open();
    const week = sessionAbsoluteMs();
    for (let h = 6; h * HOUR < week; h += 6) expect(await findActiveSession(t.db, token, at(h * HOUR))).not.toBeNull();
    expect(await findActiveSession(t.db, token, at(week - 60_000))).not.toBeNull();
    expect(await findActiveSession(t.db, token, at(week))).toBeNull();
  });

  it("ends a pending (password-only) session after 15 minutes", async () => {
    const { token } = await open("pending");
    expect(await findActiveSession(t.db, token, at(PENDING_SESSION_MS - 1000))).not.toBeNull();
    expect(await findActiveSession(t.db, token, at(PENDING_SESSION_MS))).toBeNull();
  });

  it("writes last seen at most once a minute", async () => {
    const { token, session } = await open();
    await findActiveSession(t.db, token, at(30_000));
    let [row] = await t.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row.lastSeenAt).toEqual(T0);
    await findActiveSession(t.db, token, at(90_000));
    [row] = await t.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row.lastSeenAt).toEqual(at(90_000));
  });
});

describe("listActiveSessions", () => {
  it("lists signed-in browsers but not pending, revoked or idle ones", async () => {
    const { user } = await makeUser(t.db);
    const live = await open("verified", T0, user.id);
    const pending = await open("pending", T0, user.id);
    const revoked = await open("verified", T0, user.id);
    await revokeSession(t.db, revoked.session.id, "x", at(1000));
    const ids = (await listActiveSessions(t.db, user.id, at(2000))).map((s) => s.id);
    expect(ids).toEqual([live.session.id]);
    expect(ids).not.toContain(pending.session.id);
    expect(await listActiveSessions(t.db, user.id, at(sessionIdleMs() + 1))).toEqual([]);
  });
});
