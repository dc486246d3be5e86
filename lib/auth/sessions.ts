import { and, eq, gt, isNull, ne, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, mfaFactors, organisations, sessions, users } from "@/db/schema";
import { randomToken, sha256 } from "@/lib/crypto/tokens";
import { type RequestInfo, recordEvent } from "@/lib/audit/events";
import { forgetTrustedBrowsers } from "./trusted-browsers";

function minutesFromEnv(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** A session unused for this long ends. Default 12 hours (SESSION_IDLE_MINUTES). */
export const sessionIdleMs = () => minutesFromEnv("SESSION_IDLE_MINUTES", 12 * 60) * 60_000;
/** A session ends this long after sign-in, used or not. Default 7 days (SESSION_ABSOLUTE_MINUTES). */
export const sessionAbsoluteMs = () => minutesFromEnv("SESSION_ABSOLUTE_MINUTES", 7 * 24 * 60) * 60_000;
/** A session waiting for its second factor ends after 15 minutes. */
export const PENDING_SESSION_MS = 15 * 60_000;
/** Pending (password-only) sessions a user may have open at once; a newer sign-in ends the oldest. */
export const MAX_PENDING_SESSIONS = 3;
/** last_seen_at is written at most once a minute per session. */
const TOUCH_INTERVAL_MS = 60_000;

export type MfaState = "pending" | "verified" | "not_required";

type NewSession = { userId: string; mfaState: MfaState; now?: Date; handoff?: boolean } & Partial<RequestInfo>;

/** The row a new session gets: its lifetime follows its state (a pending one lasts only PENDING_SESSION_MS). */
function newSessionRow(input: NewSession, token: string) {
  const now = input.now ?? new Date();
  const ttl = input.mfaState === "pending" ? PENDING_SESSION_MS : sessionAbsoluteMs();
  return {
    tokenHash: sha256(token),
    // Until claimed through next-auth, the token exists only in this server's memory.
    handoffHash: input.handoff === false ? null : sha256(token),
    userId: input.userId,
    mfaState: input.mfaState,
    ip: input.ip?.slice(0, 64) ?? null,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastSeenAt: now,
    authenticatedAt: now,
    expiresAt: new Date(now.getTime() + ttl),
  };
}

export async function createSession(db: Db, input: NewSession) {
  const token = randomToken();
  const [session] = await db.insert(sessions).values(newSessionRow(input, token)).returning();
  return { token, session };
}

/**
 * The same new session as an INSERT ... SELECT for a single-statement sign-in: one row per row of
 * `from` (a CTE that yields user_id), created already claimed. Returns the token and the fragment.
 */
export function createSessionSql(input: Omit<NewSession, "userId" | "handoff"> & { from: SQL }) {
  const token = randomToken();
  const row = newSessionRow({ ...input, userId: "", handoff: false }, token);
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  return {
    token,
    sql: sql`insert into sessions (token_hash, user_id, mfa_state, ip, user_agent, created_at, last_seen_at, authenticated_at, expires_at)
      select ${row.tokenHash}, user_id, ${row.mfaState}, ${row.ip}, ${row.userAgent}, ${at(row.createdAt)}, ${at(row.lastSeenAt)}, ${at(row.authenticatedAt)}, ${at(row.expiresAt)}
      from ${input.from}
      returning id`,
  };
}

/** Ends a pending session in a single-statement sign-in, on the same conditions as a live one, when `when` holds. */
export function endPendingSessionSql(input: { sessionId: string; reason: string; now: Date; when: SQL }) {
  const at = input.now.toISOString();
  return sql`update sessions set revoked_at = ${at}::timestamptz, revoked_reason = ${input.reason}
      where id = ${input.sessionId}::uuid and mfa_state = 'pending' and revoked_at is null and expires_at > ${at}::timestamptz
        and ${input.when}
      returning user_id`;
}

/** A session cookie's token names a usable row only if it is not revoked and has been claimed (the rest is isLive). */
export function sessionByToken(tokenHash: string | SQLWrapper) {
  return and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), isNull(sessions.handoffHash));
}

/**
 * Claims a freshly created session exactly once: the conditional UPDATE is the lock, so a handoff
 * token replayed (or raced) gets nothing.
 */
export async function claimSession(db: Db, token: string, now = new Date()) {
  const [row] = await db
    .update(sessions)
    .set({ handoffHash: null })
    .where(and(eq(sessions.handoffHash, sha256(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .returning({ id: sessions.id, userId: sessions.userId, mfaState: sessions.mfaState });
  return row ?? null;
}

/** Within its absolute lifetime and not idle for too long (revocation and the handoff are checked in SQL). */
export function isLive(session: { expiresAt: Date; lastSeenAt: Date }, now = new Date()): boolean {
  return session.expiresAt > now && now.getTime() - session.lastSeenAt.getTime() <= sessionIdleMs();
}

export type ActiveSession = NonNullable<Awaited<ReturnType<typeof findActiveSession>>>;

/** The session a cookie token names, with its user and organisation, or null if it is unknown, revoked, unclaimed or timed out. */
export async function findActiveSession(db: Db, token: string, now = new Date()) {
  const [row] = await db
    .select({
      session: sessions,
      user: {
        id: users.id,
        email: users.email,
        name: users.name,
        mfaEnabled: users.mfaEnabled,
        emailVerifiedAt: users.emailVerifiedAt,
        /** After an admin's reset: what the next enrolment must prove besides the password (lib/mfa/reenrol.ts). */
        mfaReenrolProof: users.mfaReenrolProof,
        /** The language chosen on My account, or null to follow the browser (lib/auth/locale.ts). */
        locale: users.locale,
        hasTotp: sql<boolean>`exists (select 1 from ${mfaFactors} where ${mfaFactors.userId} = ${users.id} and ${mfaFactors.kind} = 'totp')`,
        hasPasskey: sql<boolean>`exists (select 1 from ${mfaFactors} where ${mfaFactors.userId} = ${users.id} and ${mfaFactors.kind} = 'passkey')`,
      },
      membership: { role: memberships.role, organisationId: memberships.organisationId },
      organisation: {
        id: organisations.id,
        name: organisations.name,
        mfaRequired: organisations.mfaRequired,
        mfaMethods: organisations.mfaMethods,
        mfaEnforcedFrom: organisations.mfaEnforcedFrom,
        /** How long members may skip the second factor on a trusted browser (lib/auth/trusted-browsers.ts). */
        trustedBrowserDays: organisations.trustedBrowserDays,
      },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(sessionByToken(sha256(token)))
    .limit(1);
  if (!row || !isLive(row.session, now)) return null;
  const { session } = row;
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.id));
  }
  return row;
}

export async function revokeSession(db: Db, sessionId: string, reason: string, now = new Date()) {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** Ends every other session of the user (after a password or MFA change). Returns how many ended. */
export async function revokeOtherSessions(db: Db, userId: string, keepSessionId: string | null, reason: string, now = new Date()) {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        keepSessionId ? ne(sessions.id, keepSessionId) : sql`true`,
      ),
    )
    .returning({ id: sessions.id });
  return rows.length;
}

/**
 * "Sign out all other sessions" in My account: in one transaction every other session ends and every browser
 * the user trusted is forgotten (lib/auth/trusted-browsers.ts), this one included; audited.
 */
export async function signOutOtherSessions(
  db: Db,
  actor: { userId: string; sessionId: string; organisationId: string | null },
  input: { now?: Date; info?: Partial<RequestInfo> } = {},
) {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, "revoked_by_user", now);
    const trustedBrowsersForgotten = await forgetTrustedBrowsers(tx, actor.userId);
    await recordEvent(tx, {
      action: "session.others_revoked",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { ended, trustedBrowsersForgotten },
      ...input.info,
    });
    return { ended, trustedBrowsersForgotten };
  });
}

/** The user's signed-in browsers (not pending, not ended), most recently active first. */
export async function listActiveSessions(db: Db, userId: string, now = new Date()) {
  const rows = await db
    .select({
      id: sessions.id,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      mfaState: sessions.mfaState,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), isNull(sessions.handoffHash), gt(sessions.expiresAt, now)))
    .orderBy(sql`${sessions.lastSeenAt} desc`);
  return rows.filter((r) => r.mfaState !== "pending" && now.getTime() - r.lastSeenAt.getTime() <= sessionIdleMs());
}

/** Ends one of the user's own sessions; another user's session id matches nothing. */
export async function revokeOwnSession(db: Db, userId: string, sessionId: string, now = new Date()) {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: "revoked_by_user" })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/**
 * Ends the user's pending sessions beyond the newest MAX_PENDING_SESSIONS. Each pending session holds a
 * challenge with its own attempts, so without a cap a known password would open unlimited parallel
 * guessing at the second factor.
 */
export async function endExcessPendingSessions(db: Db, userId: string, now = new Date()) {
  await db.execute(sql`
    update sessions set revoked_at = ${now.toISOString()}::timestamptz, revoked_reason = 'pending_limit'
    where user_id = ${userId}::uuid and mfa_state = 'pending' and revoked_at is null
      and id not in (
        select id from sessions where user_id = ${userId}::uuid and mfa_state = 'pending' and revoked_at is null
        order by created_at desc, id desc limit ${MAX_PENDING_SESSIONS}
      )`);
}
