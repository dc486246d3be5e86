import { generateRegistrationOptions, type PublicKeyCredentialCreationOptionsJSON, verifyRegistrationResponse } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, count, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors, otpChallenges, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { hasFreshPassword } from "@/lib/auth/reauth";
import { methodAllowed, readMfaPolicy } from "@/lib/org/policy";
import type { Actor } from "../actor";
import { isChallengeId, openChallenge } from "../challenge";
import { MAX_CODE_ATTEMPTS } from "../codes";
import { applyFactorChange, lockFactors } from "../enrollment";
import { reenrolProofMissing, spendReenrolProof } from "../reenrol";
import { withStepUp } from "../step-up";
import { newWebauthnChallenge, PASSKEY_CHALLENGE_TTL_MS, PASSKEY_PROMPT_TIMEOUT_MS, readRegistration, signedChallenge } from "./ceremony";
import { cleanPasskeyName, defaultPasskeyName } from "./names";
import { MAX_PASSKEYS } from "./index";
import { splitTransports } from "./options";
import { relyingParty } from "./relying-party";

type Failure<E extends string> = { ok: false; error: E };


type BeginError = "step_up_required" | "factor_required" | "reenrol_proof_required" | "passkey_not_allowed" | "passkey_limit";

/**
 * Begins adding a passkey: the password re-entered and, when the user has a factor already, a verified
 * step-up spent as the ceremony opens (withStepUp). The WebAuthn challenge lives on an `enroll` challenge of
 * this session for five minutes. The options exclude the user's keys (so the browser does not register one
 * twice), ask for a discoverable credential where the authenticator can keep one (so it also signs in without
 * a password) and for user verification where available.
 */
export async function beginPasskeyRegistration(
  db: Db,
  actor: Actor,
  input: { stepUpChallengeId?: string | null; now?: Date } = {},
): Promise<Failure<BeginError> | { ok: true; challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const now = input.now ?? new Date();
  if (!input.stepUpChallengeId) return startRegistration(db, actor, { now });
  return withStepUp(db, actor, { stepUpChallengeId: input.stepUpChallengeId, now }, (tx) => startRegistration(tx, actor, { factorVerified: true, now }));
}

async function startRegistration(
  db: Db,
  actor: Actor,
  input: { factorVerified?: boolean; now: Date },
): Promise<Failure<BeginError> | { ok: true; challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const { now } = input;
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const [[user], factors, policy] = await Promise.all([
    db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, actor.userId)),
    db.select({ kind: mfaFactors.kind, credentialId: mfaFactors.credentialId, transports: mfaFactors.transports }).from(mfaFactors).where(eq(mfaFactors.userId, actor.userId)),
    readMfaPolicy(db, actor.organisationId),
  ]);
  if (!user) return { ok: false, error: "step_up_required" };
  if (!methodAllowed(policy, "enroll", "passkey", { hasTotp: false, hasPasskey: false })) return { ok: false, error: "passkey_not_allowed" };
  if (factors.length > 0 && !input.factorVerified) return { ok: false, error: "factor_required" };
  if (await reenrolProofMissing(db, actor, now)) return { ok: false, error: "reenrol_proof_required" };
  const mine = factors.filter((f) => f.kind === "passkey" && f.credentialId);
  if (mine.length >= MAX_PASSKEYS) return { ok: false, error: "passkey_limit" };

  const rp = relyingParty();
  const challenge = newWebauthnChallenge();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    // The user handle is the account's id: no personal data, and the same for every key of the account.
    userID: new TextEncoder().encode(actor.userId),
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: PASSKEY_PROMPT_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: mine.map((f) => ({ id: f.credentialId as string, transports: splitTransports(f.transports) })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  const opened = await db.transaction((tx) =>
    openChallenge(tx, { userId: actor.userId, sessionId: actor.sessionId, purpose: "enroll", webauthnChallenge: challenge, now }),
  );
  return { ok: true, challengeId: opened.id, options };
}




export type FinishPasskeyResult =
  | Failure<"step_up_required" | "challenge_missing" | "passkey_unreadable" | "passkey_failed" | "passkey_exists" | "passkey_limit" | "reenrol_proof_required" | "passkey_not_allowed">
  | { ok: true; factorId: string; name: string; change: "enabled" | "added"; backupCodes: string[] | null };

/**
 * Finishes adding a passkey with the browser's new credential. In one transaction: the user's factors are
 * locked, the ceremony's challenge is taken (single use: a second response to it finds nothing), the
 * attestation is verified for this origin and RP ID with user presence (W3C WebAuthn Level 3, 7.1), and the key
 * becomes a factor with its public key and counter; then what follows every new factor (applyFactorChange).
 */
export async function finishPasskeyRegistration(
  db: Db,
  actor: Actor,
  input: { challengeId: string; response: unknown; name?: unknown; now?: Date; info?: Partial<RequestInfo> },
): Promise<FinishPasskeyResult> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  const response = readRegistration(input.response);
  if (!response) return { ok: false, error: "passkey_unreadable" };
  if (!isChallengeId(input.challengeId)) return { ok: false, error: "challenge_missing" };
  const signed = signedChallenge(response);

  return db.transaction(async (tx): Promise<FinishPasskeyResult> => {
    const factors = await lockFactors(tx, actor.userId);
    const [ceremony] = await tx
      .update(otpChallenges)
      .set({ webauthnChallenge: null, consumedAt: now })
      .where(
        and(
          eq(otpChallenges.id, input.challengeId),
          eq(otpChallenges.userId, actor.userId),
          eq(otpChallenges.sessionId, actor.sessionId),
          eq(otpChallenges.purpose, "enroll"),
          isNull(otpChallenges.consumedAt),
          lt(otpChallenges.attempts, MAX_CODE_ATTEMPTS),
          gt(otpChallenges.webauthnIssuedAt, new Date(now.getTime() - PASSKEY_CHALLENGE_TTL_MS)),
          eq(otpChallenges.webauthnChallenge, signed ?? ""),
        ),
      )
      .returning({ challenge: otpChallenges.id });
    if (!ceremony) return { ok: false, error: "challenge_missing" };
    if (!methodAllowed(await readMfaPolicy(tx, actor.organisationId), "enroll", "passkey", { hasTotp: false, hasPasskey: false }))
      return { ok: false, error: "passkey_not_allowed" };
    if (factors.filter((f) => f.kind === "passkey").length >= MAX_PASSKEYS) return { ok: false, error: "passkey_limit" };

    const rp = relyingParty();
    let info: NonNullable<Awaited<ReturnType<typeof verifyRegistrationResponse>>["registrationInfo"]>;
    try {
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: signed ?? "",
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: false,
      });
      if (!verified.verified) return { ok: false, error: "passkey_failed" };
      info = verified.registrationInfo;
    } catch {
      return { ok: false, error: "passkey_failed" };
    }
    const credentialId = info.credential.id;
    const [taken] = await tx.select({ id: mfaFactors.id }).from(mfaFactors).where(eq(mfaFactors.credentialId, credentialId));
    if (taken) return { ok: false, error: "passkey_exists" };
    // The last check before anything is written, so nothing after it can fail with the proof spent.
    if (!(await spendReenrolProof(tx, actor, now))) return { ok: false, error: "reenrol_proof_required" };

    const name = cleanPasskeyName(input.name) ?? defaultPasskeyName(info.aaguid, info.credentialBackedUp);
    const [factor] = await tx
      .insert(mfaFactors)
      .values({
        userId: actor.userId,
        kind: "passkey",
        credentialId,
        publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
        signCount: info.credential.counter,
        transports: info.credential.transports?.join(",") ?? null,
        aaguid: info.aaguid,
        name,
        verifiedAt: now,
        createdAt: now,
      })
      .returning({ id: mfaFactors.id });
    const change = factors.length === 0 ? "enabled" : "added";
    const [codesHeld] = await tx.select({ n: count() }).from(backupCodes).where(eq(backupCodes.userId, actor.userId));
    const issueBackupCodes = change === "enabled" || Number(codesHeld?.n ?? 0) === 0;
    const { backupCodes: codes } = await applyFactorChange(tx, actor, {
      action: change === "enabled" ? "mfa.enabled" : "mfa.factor_added",
      reason: "mfa_passkey_added",
      detail: { method: "passkey", name, backupCodesIssued: issueBackupCodes },
      issueBackupCodes,
      now,
      info: input.info,
    });
    return { ok: true, factorId: factor.id, name, change, backupCodes: codes };
  });
}

/** Renames one of the user's passkeys (only theirs: another user's id changes nothing). Audited. */
export async function renamePasskey(
  db: Db,
  actor: Actor,
  input: { factorId: string; name: unknown; info?: Partial<RequestInfo> },
): Promise<Failure<"passkey_name" | "no_factor"> | { ok: true; name: string }> {
  const name = cleanPasskeyName(input.name);
  if (!name) return { ok: false, error: "passkey_name" };
  if (!isChallengeId(input.factorId)) return { ok: false, error: "no_factor" };
  const [renamed] = await db
    .update(mfaFactors)
    .set({ name })
    .where(and(eq(mfaFactors.id, input.factorId), eq(mfaFactors.userId, actor.userId), eq(mfaFactors.kind, "passkey")))
    .returning({ id: mfaFactors.id });
  if (!renamed) return { ok: false, error: "no_factor" };
  await recordEvent(db, { action: "mfa.passkey_renamed", userId: actor.userId, organisationId: actor.organisationId, detail: { method: "passkey", name }, ...input.info });
  return { ok: true, name };
}
