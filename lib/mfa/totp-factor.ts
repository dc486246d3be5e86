import crypto from "node:crypto";
import { and, count, eq, gt, isNotNull, isNull, lt, ne, or } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors, otpChallenges, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import { hasFreshPassword } from "@/lib/auth/step-up";
import { decrypt, encrypt } from "@/lib/crypto/encryption";
import { generateBackupCodes } from "./backup-codes";
import { isChallengeId, verifyChallenge } from "./challenge";
import { CODE_TTL_MS, hashCode, MAX_CODE_ATTEMPTS, normalizeCode } from "./codes";
import type { MfaError } from "./errors";
import { removeFactor } from "./remove-factor";
import type { Actor } from "./sms-factor";
import { generateTotpSecret, matchTotpStep, qrSvg, totpUri } from "./totp";

export const TOTP_ERRORS = {
  totp_code_wrong: "That code is not right. Enter the code your authenticator app shows now.",
  totp_code_reused: "That code has already been used. Wait for the next code in your authenticator app.",
} as const;
export type TotpError = MfaError | keyof typeof TOTP_ERRORS;

type Failure<E extends TotpError = TotpError> = { ok: false; error: E };

/** Associated data for a user's TOTP secret: a ciphertext moved to another user's row does not decrypt. */
const secretContext = (userId: string) => `mfa.totp_secret:${userId}`;

export const encryptTotpSecret = (userId: string, secret: string) => encrypt(secret, secretContext(userId));
export const decryptTotpSecret = (userId: string, ciphertext: string) => decrypt(ciphertext, secretContext(userId));

/** What My account may show about the authenticator app; never the secret or its ciphertext. */
export async function getTotpFactor(db: Db, userId: string) {
  const [row] = await db
    .select({ id: mfaFactors.id, verifiedAt: mfaFactors.verifiedAt, lastUsedAt: mfaFactors.lastUsedAt, createdAt: mfaFactors.createdAt })
    .from(mfaFactors)
    .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "totp")));
  return row ?? null;
}

export interface TotpEnrollment {
  /** The pending enrolment (an `enroll` challenge of this session); pass it back to confirm. */
  challengeId: string;
  /** Base32, for typing into the app by hand. */
  secret: string;
  /** The otpauth:// URI the QR code holds. */
  uri: string;
  qrSvg: string;
  /** The same SVG as a data: URL, for an <img> without injecting markup. */
  qrDataUrl: string;
  expiresAt: Date;
  /** An authenticator app is already registered and will be replaced on confirmation. */
  replacing: boolean;
}

async function describe(secret: string, email: string, challenge: { id: string; expiresAt: Date }, replacing: boolean): Promise<TotpEnrollment> {
  const uri = totpUri({ secret, email });
  const svg = await qrSvg(uri);
  return {
    challengeId: challenge.id,
    secret,
    uri,
    qrSvg: svg,
    qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`,
    expiresAt: challenge.expiresAt,
    replacing,
  };
}

/**
 * Begins adding (or replacing) an authenticator app. Needs the password confirmed in the last few minutes and,
 * when the user already has a factor, `factorVerified`: the caller checked a code from a current factor.
 *
 * The new secret is kept encrypted on an `enroll` challenge bound to this session, never in mfa_factors: it
 * cannot sign anyone in, and it expires with the challenge (SECURITY.md 14: active only after a valid code).
 * Opening it closes any other open enrolment of this session.
 */
export async function startTotpEnrollment(
  db: Db,
  actor: Actor,
  input: { factorVerified?: boolean; now?: Date } = {},
): Promise<Failure<"step_up_required" | "factor_required"> | ({ ok: true } & TotpEnrollment)> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, actor.userId));
  if (!user) return { ok: false, error: "step_up_required" };
  const factors = await db.select({ id: mfaFactors.id, kind: mfaFactors.kind }).from(mfaFactors).where(eq(mfaFactors.userId, actor.userId));
  if (factors.length > 0 && !input.factorVerified) return { ok: false, error: "factor_required" };
  const current = factors.find((f) => f.kind === "totp") ?? null;

  const secret = generateTotpSecret();
  const id = crypto.randomUUID();
  const challenge = await db.transaction(async (tx) => {
    await tx
      .update(otpChallenges)
      .set({ consumedAt: now })
      .where(and(eq(otpChallenges.sessionId, actor.sessionId), eq(otpChallenges.purpose, "enroll"), isNull(otpChallenges.consumedAt)));
    const [row] = await tx
      .insert(otpChallenges)
      .values({
        id,
        userId: actor.userId,
        sessionId: actor.sessionId,
        purpose: "enroll",
        factorId: current?.id ?? null,
        phone: null,
        // No code is ever sent for this challenge: the stored hash is of a random value nobody knows.
        codeHash: hashCode(id, actor.userId, crypto.randomBytes(16).toString("hex")),
        secretCiphertext: encryptTotpSecret(actor.userId, secret),
        sendCount: 0,
        lastSentAt: new Date(0),
        expiresAt: new Date(now.getTime() + CODE_TTL_MS),
        createdAt: now,
      })
      .returning({ id: otpChallenges.id, expiresAt: otpChallenges.expiresAt });
    return row;
  });
  return { ok: true, ...(await describe(secret, user.email, challenge, Boolean(current))) };
}

/** The QR code and key of an open enrolment of this session again (a reloaded page), or null if it is closed. */
export async function getTotpEnrollment(db: Db, actor: Actor, challengeId: string, now = new Date()): Promise<TotpEnrollment | null> {
  if (!isChallengeId(challengeId)) return null;
  const [row] = await db
    .select({ challenge: otpChallenges, email: users.email })
    .from(otpChallenges)
    .innerJoin(users, eq(users.id, otpChallenges.userId))
    .where(
      and(
        eq(otpChallenges.id, challengeId),
        eq(otpChallenges.userId, actor.userId),
        eq(otpChallenges.sessionId, actor.sessionId),
        eq(otpChallenges.purpose, "enroll"),
        isNull(otpChallenges.consumedAt),
        isNotNull(otpChallenges.secretCiphertext),
        gt(otpChallenges.expiresAt, now),
        lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS),
      ),
    );
  if (!row?.challenge.secretCiphertext) return null;
  const secret = decryptTotpSecret(actor.userId, row.challenge.secretCiphertext);
  return describe(secret, row.email, row.challenge, row.challenge.factorId !== null);
}

/**
 * After a factor change, enrolments other sessions had open are void: the password and factor proof they
 * began with predate the change (an enrolment begun while the user had no factor needed no factor proof).
 */
async function closeOtherEnrollments(db: Db, actor: Actor, now: Date) {
  await db
    .update(otpChallenges)
    .set({ consumedAt: now })
    .where(
      and(
        eq(otpChallenges.userId, actor.userId),
        eq(otpChallenges.purpose, "enroll"),
        isNull(otpChallenges.consumedAt),
        or(isNull(otpChallenges.sessionId), ne(otpChallenges.sessionId, actor.sessionId)),
      ),
    );
}

export type ConfirmTotpResult =
  | Failure<"step_up_required" | "challenge_missing" | "code_empty" | "code_format" | "code_expired" | "code_locked">
  | { ok: false; error: "totp_code_wrong"; attemptsLeft: number }
  | {
      ok: true;
      factorId: string;
      /** enabled: MFA was off; added: beside an SMS factor; replaced: a previous authenticator app. */
      change: "enabled" | "added" | "replaced";
      /** A new set when this is the user's first factor (or they never had one): show once, then forget. */
      backupCodes: string[] | null;
    };

/**
 * Confirms an enrolment with a code from the app. Only now does the secret become a factor: in one transaction
 * the challenge is consumed, the factor written with last_used_step = the accepted step (so the code just typed
 * cannot also sign in), MFA turned on, other sessions ended and the change audited. A wrong code counts
 * against the challenge's cap and changes nothing else.
 */
export async function confirmTotpEnrollment(
  db: Db,
  actor: Actor,
  input: { challengeId: string; code: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<ConfirmTotpResult> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const normal = normalizeCode(input.code);
  if (!normal.ok) return { ok: false, error: normal.error };
  const code = normal.code;

  return db.transaction(async (tx): Promise<ConfirmTotpResult> => {
    // Serialises factor changes of this user (two enrolments, or an enrolment and a removal, racing).
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.userId)).for("update");

    const matched: { step: number | null } = { step: null };
    const outcome = await verifyChallenge(
      tx,
      { challengeId: input.challengeId, userId: actor.userId, sessionId: actor.sessionId, purpose: "enroll", code, consume: true, now },
      (challenge) => {
        if (!challenge.secretCiphertext) return false;
        matched.step = matchTotpStep(decryptTotpSecret(actor.userId, challenge.secretCiphertext), code, now);
        return matched.step !== null;
      },
    );
    switch (outcome.status) {
      case "wrong":
        return { ok: false, error: "totp_code_wrong", attemptsLeft: outcome.attemptsLeft };
      case "locked":
        return { ok: false, error: "code_locked" };
      case "expired":
        return { ok: false, error: "code_expired" };
      case "missing":
        return { ok: false, error: "challenge_missing" };
    }
    const { step } = matched;
    const { secretCiphertext } = outcome.challenge;
    if (step === null || !secretCiphertext) return { ok: false, error: "challenge_missing" };

    const factors = await tx.select().from(mfaFactors).where(eq(mfaFactors.userId, actor.userId));
    const current = factors.find((f) => f.kind === "totp") ?? null;
    const change = factors.length === 0 ? "enabled" : current ? "replaced" : "added";

    const values = { secretCiphertext, lastUsedStep: step, verifiedAt: now, lastUsedAt: now };
    const [factor] = current
      ? await tx.update(mfaFactors).set(values).where(eq(mfaFactors.id, current.id)).returning({ id: mfaFactors.id })
      : await tx
          .insert(mfaFactors)
          .values({ userId: actor.userId, kind: "totp", createdAt: now, ...values })
          .returning({ id: mfaFactors.id });
    await tx.update(users).set({ mfaEnabled: true }).where(eq(users.id, actor.userId));

    const [codesHeld] = await tx.select({ n: count() }).from(backupCodes).where(eq(backupCodes.userId, actor.userId));
    const issueCodes = change === "enabled" || Number(codesHeld?.n ?? 0) === 0;
    const codes = issueCodes ? await generateBackupCodes(tx, actor.userId, { now }) : null;

    await closeOtherEnrollments(tx, actor, now);
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, `mfa_totp_${change}`, now);
    await recordEvent(tx, {
      action: change === "enabled" ? "mfa.enabled" : change === "added" ? "mfa.factor_added" : "mfa.factor_replaced",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { method: "totp", otherSessionsEnded: ended, backupCodesIssued: issueCodes },
      ...input.info,
    });
    return { ok: true, factorId: factor.id, change, backupCodes: codes };
  });
}

export type TotpVerifyResult =
  | { ok: true; factorId: string; step: number }
  | Failure<"no_factor" | "code_empty" | "code_format" | "totp_code_wrong" | "totp_code_reused">;

/**
 * Checks a code from the user's active authenticator app (sign-in, step-up). RFC 6238 5.2 / SECURITY.md 12:
 * a step once accepted, or any earlier one, is never accepted again. The check that matters is the
 * conditional UPDATE (last_used_step IS NULL OR last_used_step < step): of two requests with the same code,
 * in parallel or not, one moves the marker and the other matches no row. The secret is part of the
 * condition too, so a code of a secret replaced meanwhile is refused. Attempt caps belong to the caller's challenge.
 */
export async function verifyTotpForUser(db: Db, userId: string, code: unknown, now: Date = new Date()): Promise<TotpVerifyResult> {
  const normal = normalizeCode(code);
  if (!normal.ok) return { ok: false, error: normal.error };
  const [factor] = await db
    .select({ id: mfaFactors.id, secretCiphertext: mfaFactors.secretCiphertext, lastUsedStep: mfaFactors.lastUsedStep })
    .from(mfaFactors)
    .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "totp")));
  if (!factor?.secretCiphertext) return { ok: false, error: "no_factor" };
  const step = matchTotpStep(decryptTotpSecret(userId, factor.secretCiphertext), normal.code, now);
  if (step === null) return { ok: false, error: "totp_code_wrong" };
  if (factor.lastUsedStep !== null && step <= factor.lastUsedStep) return { ok: false, error: "totp_code_reused" };
  const [accepted] = await db
    .update(mfaFactors)
    .set({ lastUsedStep: step, lastUsedAt: now })
    .where(
      and(
        eq(mfaFactors.id, factor.id),
        eq(mfaFactors.secretCiphertext, factor.secretCiphertext),
        or(isNull(mfaFactors.lastUsedStep), lt(mfaFactors.lastUsedStep, step)),
      ),
    )
    .returning({ id: mfaFactors.id });
  if (!accepted) return { ok: false, error: "totp_code_reused" };
  return { ok: true, factorId: factor.id, step };
}

/** Removes the authenticator app (see removeFactor); enrolments other sessions had open are voided too. */
export function removeTotpFactor(db: Db, actor: Actor, input: Parameters<typeof removeFactor>[3]) {
  return removeFactor(db, actor, "totp", input, (tx, now) => closeOtherEnrollments(tx, actor, now));
}
