import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, eq, gt, lt } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, mfaFactors, passkeySignIns } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { deviceHash, isDeviceId, recordSignedInFrom } from "@/lib/auth/devices";
import { createSession } from "@/lib/auth/sessions";
import { LIMITS } from "@/lib/security/limits";
import { ipBucket, releaseStrikes, reserveStrikes, takeBudgets } from "@/lib/security/rate-limit";
import { isChallengeId } from "../challenge";
import { mfaBackoffKey } from "../code-check";
import { checkAssertion, newWebauthnChallenge, PASSKEY_CHALLENGE_TTL_MS, PASSKEY_PROMPT_TIMEOUT_MS, readAssertion, signedChallenge } from "./ceremony";
import { advanceSignCount } from "./index";
import { relyingParty } from "./relying-party";
import { localizedWords } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

/**
 * Signing in with a passkey alone (no email, no password): the browser offers the discoverable credentials it
 * holds for this site and the user picks one. User verification is required, so the key proves possession
 * and a PIN or biometric: two factors in one (NIST SP 800-63B 3.1.7, multi-factor cryptographic device), and
 * the session is fully signed in, as if the password and a second factor had been given.
 */
export const PASSKEY_SIGN_IN_ERRORS = localizedWords("errors.passkeySignIn", ENGLISH.errors.passkeySignIn);

type Failure<E extends string> = { ok: false; error: E };

/**
 * Starts a passwordless prompt for this browser: a challenge bound to its device id, valid five minutes. The
 * browser's earlier prompts are dropped (one open prompt per browser). Budgets per IP and per browser keep a
 * script from filling the table.
 */
export async function startPasskeySignIn(
  db: Db,
  input: { deviceId: string | null | undefined; ip?: string | null; now?: Date },
): Promise<Failure<"no_device"> | { ok: false; error: "throttled"; retryAt: Date } | { ok: true; id: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const now = input.now ?? new Date();
  if (!isDeviceId(input.deviceId)) return { ok: false, error: "no_device" };
  const device = deviceHash(input.deviceId);
  const budgets = [{ key: `passkey:signin:device:${device}`, ...LIMITS.passkeySignInPerDevice() }];
  if (input.ip) budgets.push({ key: `passkey:signin:ip:${ipBucket(input.ip)}`, ...LIMITS.passkeySignInPerIp() });
  const budget = await takeBudgets(db, budgets, now);
  if (!budget.ok) return { ok: false, error: "throttled", retryAt: budget.retryAt };
  const challenge = newWebauthnChallenge();
  const [row] = await db.transaction(async (tx) => {
    await tx.delete(passkeySignIns).where(eq(passkeySignIns.deviceHash, device));
    return tx
      .insert(passkeySignIns)
      .values({ challenge, deviceHash: device, expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS), createdAt: now })
      .returning({ id: passkeySignIns.id });
  });
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().id,
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: PASSKEY_PROMPT_TIMEOUT_MS,
    userVerification: "required",
  });
  return { ok: true, id: row.id, options };
}

export type PasskeySignInResult =
  | { ok: true; token: string; userId: string }
  | Failure<"passkey_unreadable" | "passkey_expired" | "passkey_not_found" | "passkey_failed" | "passkey_cloned">
  | { ok: false; error: "throttled" | "mfa_throttled"; retryAt: Date };

/**
 * Finishes a passwordless sign-in. The prompt is taken once (deleted, and only from the browser it was given
 * to); a failed attempt is counted against the client's IP like a wrong password and, once the key's owner
 * is known, against the account's second-factor backoff like a wrong code, both reserved before the check.
 * A right answer gives them back, starts a fully verified session and records the sign-in.
 */
export async function finishPasskeySignIn(
  db: Db,
  input: { id: unknown; response: unknown; deviceId: string | null | undefined; now?: Date; info?: Partial<RequestInfo> },
): Promise<PasskeySignInResult> {
  const now = input.now ?? new Date();
  const info = input.info ?? {};
  const response = readAssertion(input.response);
  if (!response) return { ok: false, error: "passkey_unreadable" };
  if (!isDeviceId(input.deviceId) || !isChallengeId(input.id)) return { ok: false, error: "passkey_expired" };
  const [prompt] = await db
    .delete(passkeySignIns)
    .where(and(eq(passkeySignIns.id, input.id), eq(passkeySignIns.deviceHash, deviceHash(input.deviceId)), gt(passkeySignIns.expiresAt, now)))
    .returning({ challenge: passkeySignIns.challenge });
  if (!prompt || signedChallenge(response) !== prompt.challenge) return { ok: false, error: "passkey_expired" };

  const ipStrike = info.ip ? await reserveStrikes(db, [{ key: `signin:ip:${ipBucket(info.ip)}`, policy: LIMITS.signInIp() }], now) : null;
  if (ipStrike && !ipStrike.ok) return { ok: false, error: "throttled", retryAt: ipStrike.retryAt };
  const ipHeld = ipStrike?.ok ? ipStrike.held : [];

  const [passkey] = await db
    .select({ factor: mfaFactors, organisationId: memberships.organisationId })
    .from(mfaFactors)
    .leftJoin(memberships, eq(memberships.userId, mfaFactors.userId))
    .where(and(eq(mfaFactors.credentialId, response.id), eq(mfaFactors.kind, "passkey")));
  if (!passkey?.factor.publicKey) return { ok: false, error: "passkey_not_found" };
  const { factor } = passkey;
  const userId = factor.userId;
  const organisationId = passkey.organisationId ?? null;
  // The user handle, where the authenticator returns one, must name the key's own account.
  const handle = response.response.userHandle;
  if (handle && handle !== isoBase64URL.fromUTF8String(userId)) return { ok: false, error: "passkey_failed" };

  const accountStrike = await reserveStrikes(db, [{ key: mfaBackoffKey(userId), policy: LIMITS.mfaAccount() }], now);
  if (!accountStrike.ok) {
    await releaseStrikes(db, ipHeld);
    return { ok: false, error: "mfa_throttled", retryAt: accountStrike.retryAt };
  }
  const checked = await checkAssertion(response, {
    expectedChallenge: prompt.challenge,
    passkey: { credentialId: factor.credentialId as string, publicKey: factor.publicKey as string, signCount: factor.signCount ?? 0 },
    rp: relyingParty(),
    requireUserVerification: true,
  });
  if (!checked.ok) {
    // The reserved strikes stay: this was a failed attempt.
    await recordEvent(db, {
      action: checked.error === "passkey_cloned" ? "mfa.passkey_cloned" : "sign_in.failed_passkey",
      userId,
      organisationId,
      detail: { method: "passkey", name: factor.name ?? "Passkey" },
      ...info,
    });
    return { ok: false, error: checked.error };
  }
  if (!(await advanceSignCount(db, { id: factor.id, from: factor.signCount ?? 0, to: checked.newCount, now }))) return { ok: false, error: "passkey_failed" };

  const [{ token }] = await Promise.all([
    createSession(db, { userId, mfaState: "verified", now, handoff: false, ...info }),
    releaseStrikes(db, [...ipHeld, ...accountStrike.held], [mfaBackoffKey(userId)]),
    recordEvent(db, { action: "sign_in.succeeded", userId, organisationId, detail: { mfa: true, method: "passkey", passwordless: true }, ...info }),
    recordSignedInFrom(db, { deviceId: input.deviceId, userId, userAgent: info.userAgent, ip: info.ip, now }),
  ]);
  return { ok: true, token, userId };
}

/** Prompts nobody answered, past their five minutes (a periodic job). */
export async function deleteExpiredPasskeyPrompts(db: Db, now = new Date()): Promise<number> {
  const gone = await db.delete(passkeySignIns).where(lt(passkeySignIns.expiresAt, now)).returning({ id: passkeySignIns.id });
  return gone.length;
}
