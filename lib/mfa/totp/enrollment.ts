import { and, count, eq, gt, isNotNull, isNull, lt } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors, otpChallenges, users } from "@/db/schema";
import type { RequestInfo } from "@/lib/audit/events";
import { hasFreshPassword } from "@/lib/auth/reauth";
import { enrolmentRefusal, readMfaPolicy } from "@/lib/org/policy";
import type { Actor } from "../actor";
import { isChallengeId, openChallenge } from "../challenge";
import { checkCode } from "../code-check";
import { MAX_CODE_ATTEMPTS } from "../codes";
import { applyFactorChange, lockFactors } from "../enrollment";
import { reenrolProofMissing, spendReenrolProof } from "../reenrol";
import { withStepUp } from "../step-up";
import { generateTotpSecret, qrSvg, totpUri } from "./rfc6238";
import { decryptTotpSecret, encryptTotpSecret } from "./secret";

type Failure<E extends string> = { ok: false; error: E };

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
 * Begins adding (or replacing) an authenticator app. Needs the password re-entered and, when the user
 * already has a factor, a verified step-up, spent as the enrolment opens (withStepUp).
 *
 * The new secret is kept encrypted on an `enroll` challenge bound to this session, never in mfa_factors:
 * it cannot sign anyone in, and it expires with the challenge (NIST SP 800-63B 4.1.2.1: active only after
 * a valid code). Opening it closes any other open enrolment of this session.
 */
export async function beginTotpEnrollment(
  db: Db,
  actor: Actor,
  input: { stepUpChallengeId?: string | null; now?: Date } = {},
): Promise<Failure<"step_up_required" | "factor_required" | "reenrol_proof_required" | "passkeys_only" | "sms_not_allowed"> | ({ ok: true } & TotpEnrollment)> {
  const now = input.now ?? new Date();
  if (!input.stepUpChallengeId) return startTotpEnrollment(db, actor, { now });
  return withStepUp(db, actor, { stepUpChallengeId: input.stepUpChallengeId, now }, (tx) => startTotpEnrollment(tx, actor, { factorVerified: true, now }));
}

/** Opens the enrolment once the caller has checked the step-up (`factorVerified`) where one is needed. */
export async function startTotpEnrollment(
  db: Db,
  actor: Actor,
  input: { factorVerified?: boolean; now?: Date } = {},
): Promise<Failure<"step_up_required" | "factor_required" | "reenrol_proof_required" | "passkeys_only" | "sms_not_allowed"> | ({ ok: true } & TotpEnrollment)> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, actor.userId));
  if (!user) return { ok: false, error: "step_up_required" };
  const refusal = enrolmentRefusal(await readMfaPolicy(db, actor.organisationId), "totp");
  if (refusal) return { ok: false, error: refusal };
  const factors = await db.select({ id: mfaFactors.id, kind: mfaFactors.kind }).from(mfaFactors).where(eq(mfaFactors.userId, actor.userId));
  if (factors.length > 0 && !input.factorVerified) return { ok: false, error: "factor_required" };
  // After an admin's reset, no key is made before the email (or access code) proof (lib/mfa/reenrol.ts).
  if (await reenrolProofMissing(db, actor, now)) return { ok: false, error: "reenrol_proof_required" };
  const current = factors.find((f) => f.kind === "totp") ?? null;

  const secret = generateTotpSecret();
  const challenge = await db.transaction((tx) =>
    openChallenge(tx, {
      userId: actor.userId,
      sessionId: actor.sessionId,
      purpose: "enroll",
      factorId: current?.id ?? null,
      secretCiphertext: encryptTotpSecret(actor.userId, secret),
      now,
    }),
  );
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

export type ConfirmTotpResult =
  | Failure<"step_up_required" | "challenge_missing" | "code_empty" | "code_format" | "code_expired" | "code_locked" | "reenrol_proof_required" | "passkeys_only">
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
 * Confirms an enrolment with a code from the app (the one code check, against the secret on the
 * challenge). Only now does the secret become a factor: in one transaction the challenge is consumed, the
 * factor written with last_used_step = the accepted step (so the code just typed cannot also sign in),
 * and the change applied (applyFactorChange). A wrong code counts against the challenge's cap and
 * changes nothing else.
 */
export async function confirmTotpEnrollment(
  db: Db,
  actor: Actor,
  input: { challengeId: string; code: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<ConfirmTotpResult> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };

  return db.transaction(async (tx): Promise<ConfirmTotpResult> => {
    // Serialises factor changes of this user (two enrolments, or an enrolment and a removal, racing).
    await lockFactors(tx, actor.userId);
    const checked = await checkCode(tx, {
      challengeId: input.challengeId,
      userId: actor.userId,
      sessionId: actor.sessionId,
      organisationId: actor.organisationId,
      purpose: "enroll",
      method: "totp",
      code: input.code,
      consume: true,
      now,
    });
    if (!checked.ok) {
      if (checked.error === "code_unreadable") return { ok: false, error: checked.reason as "code_empty" | "code_format" };
      if (checked.error === "code_wrong") return { ok: false, error: "totp_code_wrong", attemptsLeft: checked.attemptsLeft };
      if (checked.error === "code_locked" || checked.error === "code_expired") return { ok: false, error: checked.error };
      return { ok: false, error: "challenge_missing" };
    }
    const step = checked.match.step;
    const { secretCiphertext } = checked.challenge;
    if (step === undefined || !secretCiphertext) return { ok: false, error: "challenge_missing" };
    if (enrolmentRefusal(await readMfaPolicy(tx, actor.organisationId), "totp")) return { ok: false, error: "passkeys_only" };
    // The last check before anything is written, so nothing after it can fail with the proof spent.
    if (!(await spendReenrolProof(tx, actor, now))) return { ok: false, error: "reenrol_proof_required" };

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

    const [codesHeld] = await tx.select({ n: count() }).from(backupCodes).where(eq(backupCodes.userId, actor.userId));
    const issueBackupCodes = change === "enabled" || Number(codesHeld?.n ?? 0) === 0;
    const { backupCodes: codes } = await applyFactorChange(tx, actor, {
      action: change === "enabled" ? "mfa.enabled" : change === "added" ? "mfa.factor_added" : "mfa.factor_replaced",
      reason: `mfa_totp_${change}`,
      detail: { method: "totp", backupCodesIssued: issueBackupCodes },
      issueBackupCodes,
      now,
      info: input.info,
    });
    return { ok: true, factorId: factor.id, change, backupCodes: codes };
  });
}
