import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { mfaFactors } from "@/db/schema";
import { recordEvent } from "@/lib/audit/events";
import type { Factor } from "../factor";
import { checkAssertion, PASSKEY_CHALLENGE_TTL_MS, readAssertion, signedChallenge } from "./ceremony";
import { relyingParty } from "./relying-party";
import { localizedWords, say } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

/**
 * Stores a verified assertion's counter and stamps the key as used, only if the count is still the one the
 * check read: the counter moves forward once, so a second use of the same assertion (or a race) finds it
 * changed. It returns no row when another request got there first.
 */
export function advanceSignCountSql(input: { id: string; from: number; to: number; now: Date }): SQL {
  return sql`update mfa_factors set sign_count = ${input.to}, last_used_at = ${input.now.toISOString()}::timestamptz
      where id = ${input.id}::uuid and coalesce(sign_count, 0) = ${input.from}
      returning id`;
}

/** The same on its own, for a check that is not followed by a write of the caller's (the passwordless sign-in). */
export async function advanceSignCount(db: Db, input: { id: string; from: number; to: number; now: Date }): Promise<boolean> {
  return rowsOf(await db.execute(advanceSignCountSql(input))).length > 0;
}

/** A user may hold this many passkeys and security keys. */
export const MAX_PASSKEYS = 10;

export const PASSKEY_ERRORS = localizedWords("errors.passkey", ENGLISH.errors.passkey, { passkey_limit: { max: MAX_PASSKEYS } });

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
    if (!expected || signedChallenge(response) !== expected) return { ok: false, error: "passkey_expired" };
    // One round trip: take the challenge (once, within its five minutes) and read the key it names, of this user only.
    const [row] = rowsOf<{ taken: number; id: string | null; public_key: string | null; sign_count: string | number | null; name: string | null }>(
      await db.execute(sql`
        with taken as (
          update otp_challenges set webauthn_challenge = null
          where id = ${challenge.id}::uuid and webauthn_challenge = ${expected}
            and webauthn_issued_at > ${new Date(now.getTime() - PASSKEY_CHALLENGE_TTL_MS).toISOString()}::timestamptz
          returning id
        )
        select (select count(*) from taken)::int as taken, f.id, f.public_key, f.sign_count, f.name
        from (select 1) as one
        left join mfa_factors f on f.user_id = ${userId}::uuid and f.kind = 'passkey' and f.credential_id = ${response.id}`),
    );
    if (!row?.taken) return { ok: false, error: "passkey_expired" };
    if (!row.id || !row.public_key) return { ok: false, error: "passkey_unknown" };
    const passkey = { id: row.id, publicKey: row.public_key, signCount: Number(row.sign_count ?? 0), name: row.name };
    const checked = await checkAssertion(response, {
      expectedChallenge: expected,
      passkey: { credentialId: response.id, publicKey: passkey.publicKey, signCount: passkey.signCount },
      rp: relyingParty(),
      requireUserVerification: false,
    });
    if (!checked.ok) {
      if (checked.error === "passkey_cloned")
        await recordEvent(db, { action: "mfa.passkey_cloned", userId, organisationId, detail: { method: "passkey", name: passkey.name ?? "Passkey" }, ...info });
      return { ok: false, error: checked.error };
    }
    // The counter moves in the caller's write (sign-in's single statement), which fails if another request moved it first.
    return { ok: true, factorId: passkey.id, spend: advanceSignCountSql({ id: passkey.id, from: passkey.signCount, to: checked.newCount, now }) };
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
  describe: (s) => (s.passkeys > 0 ? say("mfa.summary.passkeys", { count: s.passkeys }) : null),
};
