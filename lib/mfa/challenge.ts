import crypto from "node:crypto";
import { and, eq, gt, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { type OtpChallenge, otpChallenges } from "@/db/schema";
import { CODE_TTL_MS, hashCode, MAX_CODE_ATTEMPTS } from "./codes";

/**
 * Challenges: one row per thing a user is asked to prove (a sign-in, an enrolment, a step-up, a password
 * reset, the email proof before enrolling again after an admin's reset). Every method answers against a
 * challenge, so its attempt cap, expiry and single use hold for all of them. An admin's temporary access code
 * is a challenge too (`access_code`), bound to the user but to no session until it is redeemed (lib/mfa/reenrol.ts).
 */
export type ChallengePurpose = "enroll" | "login" | "step_up" | "reset" | "reenrol" | "access_code";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Challenge ids come from forms; anything that is not a UUID cannot name a challenge (and must not reach SQL as one). */
export const isChallengeId = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

/**
 * What a challenge belongs to besides its user: the session that opened it or, for a password reset (signed
 * out, so there is no session), the emailed link's token row. Exactly one of the two.
 */
export type ChallengeHolder = { sessionId: string; emailTokenId?: undefined } | { emailTokenId: string; sessionId?: undefined };

export type ChallengeKey = { challengeId: string; userId: string; purpose: ChallengePurpose } & ChallengeHolder;

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** The rows a holder owns: a session's challenges, or a reset link's (which never have a session). */
export function holderScope(holder: ChallengeHolder) {
  return holder.emailTokenId !== undefined
    ? and(eq(otpChallenges.emailTokenId, holder.emailTokenId), isNull(otpChallenges.sessionId))
    : eq(otpChallenges.sessionId, holder.sessionId ?? NIL_UUID);
}

/** A challenge is only ever reached by its id together with its user, its holder and its purpose. */
export function challengeScope(input: ChallengeKey) {
  return and(eq(otpChallenges.id, input.challengeId), eq(otpChallenges.userId, input.userId), holderScope(input), eq(otpChallenges.purpose, input.purpose));
}

/** The holder part of a key or input, alone (so a spread never carries both). */
export function holderOf(input: ChallengeHolder): ChallengeHolder {
  return input.emailTokenId !== undefined ? { emailTokenId: input.emailTokenId } : { sessionId: input.sessionId };
}

/**
 * Opens a challenge, closing its holder's other open challenges of the same purpose first, so at most one
 * is live. `code` is the code that will be texted; without one the stored hash is of a random value nobody
 * knows, so only a method with its own check (authenticator app, backup code) can answer it.
 */
export async function openChallenge(
  db: Db,
  input: {
    userId: string;
    purpose: ChallengePurpose;
    code?: string;
    phone?: string | null;
    factorId?: string | null;
    secretCiphertext?: string | null;
    /** A WebAuthn challenge given to the browser with this one (a passkey registration). */
    webauthnChallenge?: string | null;
    now: Date;
  } & ChallengeHolder,
): Promise<OtpChallenge> {
  const id = crypto.randomUUID();
  const { now } = input;
  const holder = holderOf(input);
  await db
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(and(holderScope(holder), eq(otpChallenges.purpose, input.purpose), isNull(otpChallenges.consumedAt)));
  const [challenge] = await db
    .insert(otpChallenges)
    .values({
      id,
      userId: input.userId,
      sessionId: holder.sessionId ?? null,
      emailTokenId: holder.emailTokenId ?? null,
      purpose: input.purpose,
      factorId: input.factorId ?? null,
      phone: input.phone ?? null,
      secretCiphertext: input.secretCiphertext ?? null,
      webauthnChallenge: input.webauthnChallenge ?? null,
      webauthnIssuedAt: input.webauthnChallenge ? now : null,
      ...freshState({ id, userId: input.userId, code: input.code, now }),
      createdAt: now,
    })
    .returning();
  return challenge;
}

/**
 * A login challenge for a session created in the same statement (the password step): an INSERT ... SELECT
 * from `session` (a CTE yielding the new session's id). A new session holds no challenge yet, so there is
 * nothing to close. `code` as in openChallenge: the texted code, or none (a random hash nobody can answer).
 */
export function openLoginChallengeSql(input: { id: string; userId: string; code?: string; phone: string | null; factorId: string | null; now: Date; session: SQL }) {
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const state = freshState(input);
  return sql`insert into otp_challenges (id, user_id, session_id, purpose, factor_id, phone, code_hash, send_count, last_sent_at, expires_at, created_at)
      select ${input.id}::uuid, ${input.userId}::uuid, id, 'login', ${input.factorId}::uuid, ${input.phone}, ${state.codeHash}, ${state.sendCount},
        ${at(state.lastSentAt)}, ${at(state.expiresAt)}, ${at(input.now)}
      from ${input.session}
      returning id`;
}

/**
 * A new challenge's code and sending state (openChallenge, openLoginChallengeSql): the hash of the code to be
 * texted, or of a random value nobody knows; one text sent, or none yet (a resend may go at once); the expiry.
 */
function freshState(input: { id: string; userId: string; code?: string; now: Date }) {
  const { now } = input;
  return {
    codeHash: hashCode(input.id, input.userId, input.code ?? crypto.randomBytes(16).toString("hex")),
    sendCount: input.code ? 1 : 0,
    lastSentAt: input.code ? now : new Date(0),
    expiresAt: new Date(now.getTime() + CODE_TTL_MS),
  };
}

/**
 * Gives an open challenge (under its attempt cap, unexpired) a new WebAuthn challenge for the browser to sign,
 * replacing any earlier one: only the newest prompt of a sign-in or step-up can be answered. Null when the
 * challenge is closed. The passkey factor takes it once (lib/mfa/passkey/index.ts, in the statement that reads the key).
 */
export async function issueWebauthnChallenge(db: Db, key: ChallengeKey, value: string, now: Date): Promise<boolean> {
  if (!isChallengeId(key.challengeId)) return false;
  const [row] = await db
    .update(otpChallenges)
    .set({ webauthnChallenge: value, webauthnIssuedAt: now })
    .where(and(challengeScope(key), isNull(otpChallenges.consumedAt), lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS), gt(otpChallenges.expiresAt, now)))
    .returning({ id: otpChallenges.id });
  return row !== undefined;
}

/**
 * Closes a challenge whose code was already checked (enrolment Save, a step-up spent on a change). Single
 * use: only one caller gets the row.
 */
export async function consumeVerifiedChallenge(db: Db, input: ChallengeKey & { now?: Date; maxAgeMs?: number }) {
  if (!isChallengeId(input.challengeId)) return null;
  const now = input.now ?? new Date();
  const [row] = await db
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(
      and(
        challengeScope(input),
        isNull(otpChallenges.consumedAt),
        sql`${otpChallenges.verifiedAt} is not null`,
        gt(otpChallenges.verifiedAt, new Date(now.getTime() - (input.maxAgeMs ?? CODE_TTL_MS))),
      ),
    )
    .returning();
  return row ?? null;
}

/** Whether a challenge was verified and not yet spent, within its validity (a look that changes nothing). */
export async function isVerifiedChallenge(db: Db, input: ChallengeKey & { now: Date }): Promise<boolean> {
  if (!isChallengeId(input.challengeId)) return false;
  const [row] = await db
    .select({ verifiedAt: otpChallenges.verifiedAt, consumedAt: otpChallenges.consumedAt })
    .from(otpChallenges)
    .where(challengeScope(input));
  return Boolean(row?.verifiedAt && !row.consumedAt && input.now.getTime() - row.verifiedAt.getTime() < CODE_TTL_MS);
}

/** The newest open challenge of a session (or of a reset link) for a purpose (the challenge page shows it). */
export async function findOpenChallenge(db: Db, holder: string | ChallengeHolder, purpose: ChallengePurpose) {
  const scope = holderScope(typeof holder === "string" ? { sessionId: holder } : holder);
  const [row] = await db
    .select()
    .from(otpChallenges)
    .where(and(scope, eq(otpChallenges.purpose, purpose), isNull(otpChallenges.consumedAt)))
    .orderBy(sql`${otpChallenges.createdAt} desc`)
    .limit(1);
  return row ?? null;
}

/**
 * After a factor change, enrolments that other sessions of the user had open are void: the password and
 * factor proof they began with predate the change.
 */
export async function closeOtherEnrollments(db: Db, userId: string, keepSessionId: string, now: Date) {
  await db
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(
      and(
        eq(otpChallenges.userId, userId),
        eq(otpChallenges.purpose, "enroll"),
        isNull(otpChallenges.consumedAt),
        sql`${otpChallenges.sessionId} is distinct from ${keepSessionId}::uuid`,
      ),
    );
}

/**
 * The sign-in statement's part (lib/mfa/sign-in.ts): consume a login challenge whose code was just
 * matched, on the same conditions as every other use (open, under the cap, the code not replaced meanwhile),
 * when `when` holds (the match's spend took effect).
 */
export function consumeLoginChallengeSql(input: { challenge: OtpChallenge; userId: string; sessionId: string; at: string; when: SQL }) {
  return sql`update otp_challenges set consumed_at = ${input.at}::timestamptz, verified_at = ${input.at}::timestamptz
      where id = ${input.challenge.id}::uuid and user_id = ${input.userId}::uuid and session_id = ${input.sessionId}::uuid
        and purpose = 'login' and consumed_at is null and attempts < ${MAX_CODE_ATTEMPTS} and code_hash = ${input.challenge.codeHash}
        and ${input.when}
      returning id`;
}

/** A challenge row read as JSON from raw SQL (row_to_json), as Drizzle would return it. */
export function challengeFromJson(json: Record<string, unknown> | null): OtpChallenge | null {
  if (!json) return null;
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    id: json.id as string,
    userId: json.user_id as string,
    sessionId: (json.session_id as string | null) ?? null,
    emailTokenId: (json.email_token_id as string | null) ?? null,
    purpose: json.purpose as OtpChallenge["purpose"],
    factorId: (json.factor_id as string | null) ?? null,
    phone: (json.phone as string | null) ?? null,
    codeHash: json.code_hash as string,
    secretCiphertext: (json.secret_ciphertext as string | null) ?? null,
    webauthnChallenge: (json.webauthn_challenge as string | null) ?? null,
    webauthnIssuedAt: date(json.webauthn_issued_at),
    attempts: Number(json.attempts),
    sendCount: Number(json.send_count),
    lastSentAt: date(json.last_sent_at) as Date,
    expiresAt: date(json.expires_at) as Date,
    verifiedAt: date(json.verified_at),
    consumedAt: date(json.consumed_at),
    createdAt: date(json.created_at) as Date,
  };
}
