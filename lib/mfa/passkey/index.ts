import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { mfaFactors, otpChallenges } from "@/db/schema";
import { recordEvent } from "@/lib/audit/events";
import type { Factor } from "../factor";
import { checkAssertion, PASSKEY_CHALLENGE_TTL_MS, readAssertion, signedChallenge } from "./ceremony";
import { relyingParty } from "./relying-party";
import { localizedWords } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

/** A user may hold this many passkeys and security keys. */
export const MAX_PASSKEYS = 10;

export const PASSKEY_ERRORS = localizedWords("errors.passkey", ENGLISH.errors.passkey, { passkey_limit: { max: MAX_PASSKEYS } });

/**
 * Takes the WebAuthn challenge issued on a challenge row, once: a conditional UPDATE clears it, so an assertion
 * replayed (or raced) against the same challenge finds nothing, and one issued more than five minutes ago is void.
 */
export async function takeIssuedChallenge(db: Db, challengeId: string, value: string, now: Date): Promise<boolean> {
  const [taken] = await db
    .update(otpChallenges)
    .set({ webauthnChallenge: null })
    .where(
      and(
        eq(otpChallenges.id, challengeId),
        eq(otpChallenges.webauthnChallenge, value),
        gt(otpChallenges.webauthnIssuedAt, new Date(now.getTime() - PASSKEY_CHALLENGE_TTL_MS)),
      ),
    )
    .returning({ id: otpChallenges.id });
  return taken !== undefined;
}

/**
 * Passkeys and security keys (WebAuthn) as a second factor and for step-up. The "code" is the browser's
 * assertion as JSON; it must answer the challenge issued on this challenge row (lib/mfa/passkey/options.ts),
 * with one of this user's credentials. User verification is preferred, not required, here: the password was
 * the first factor. Each key is its own mfa_factors row, so a user may have several.
 */
export const passkeyFactor: Factor = {
  method: "passkey",
  errors: PASSKEY_ERRORS,
  normalize(input) {
    const response = readAssertion(input);
    return response ? { ok: true, code: JSON.stringify(response) } : { ok: false, error: "passkey_unreadable" };
  },
  async match({ db, userId, organisationId, challenge, code, now, info }) {
    const response = readAssertion(code);
    if (!response) return { ok: false, error: "passkey_unreadable" };
    const expected = challenge.webauthnChallenge;
    if (!expected || signedChallenge(response) !== expected || !(await takeIssuedChallenge(db, challenge.id, expected, now)))
      return { ok: false, error: "passkey_expired" };
    const [passkey] = await db
      .select()
      .from(mfaFactors)
      .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "passkey"), eq(mfaFactors.credentialId, response.id)));
    if (!passkey?.credentialId || !passkey.publicKey) return { ok: false, error: "passkey_unknown" };
    const checked = await checkAssertion(response, {
      expectedChallenge: expected,
      passkey: { credentialId: passkey.credentialId, publicKey: passkey.publicKey, signCount: passkey.signCount ?? 0 },
      rp: relyingParty(),
      requireUserVerification: false,
    });
    if (!checked.ok) {
      if (checked.error === "passkey_cloned")
        await recordEvent(db, { action: "mfa.passkey_cloned", userId, organisationId, detail: { method: "passkey", name: passkey.name ?? "Passkey" }, ...info });
      return { ok: false, error: checked.error };
    }
    // The counter moves only forward, once: a second use of the same assertion finds the count changed.
    const [stamped] = await db
      .update(mfaFactors)
      .set({ signCount: checked.newCount, lastUsedAt: now })
      .where(and(eq(mfaFactors.id, passkey.id), sql`coalesce(${mfaFactors.signCount}, 0) = ${passkey.signCount ?? 0}`))
      .returning({ id: mfaFactors.id });
    return stamped ? { ok: true, factorId: passkey.id } : { ok: false, error: "passkey_failed" };
  },
  async remove(tx, userId, factorId) {
    const which = [eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "passkey")];
    if (factorId) which.push(inArray(mfaFactors.id, [factorId]));
    const gone = await tx
      .delete(mfaFactors)
      .where(and(...which))
      .returning({ id: mfaFactors.id });
    return gone.length > 0;
  },
  describe: (s) => (s.passkeys > 0 ? (s.passkeys === 1 ? "Passkey" : `${s.passkeys} passkeys`) : null),
};
