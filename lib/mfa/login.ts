import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { mfaFactors } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { promotePendingSession, revokeSession } from "@/lib/auth/sessions";
import { LIMITS } from "@/lib/security/limits";
import { blockedUntil, clearFailures, recordFailure } from "@/lib/security/rate-limit";
import type { OtpChallenge } from "@/db/schema";
import { redeemBackupCode } from "./backup-codes";
import { verifyChallenge } from "./challenge";
import { codeMatches } from "./codes";
import type { LoginMethod } from "./methods";
import { verifyTotpForUser } from "./totp-factor";

export type LoginCodeResult =
  | { ok: true; token: string; method: LoginMethod; backupCodesLeft?: number }
  | { ok: false; error: "code_wrong"; attemptsLeft: number }
  | { ok: false; error: "code_locked" | "code_expired" | "challenge_missing" }
  | { ok: false; error: "mfa_throttled"; retryAt: Date };

/**
 * The second sign-in step. A right code ends the pending session and returns the token of a new,
 * verified one; too many wrong codes end the pending session, so the user must sign in again.
 */
export async function completeLoginChallenge(
  db: Db,
  pending: { sessionId: string; userId: string; organisationId: string | null },
  input: { challengeId: string; method?: LoginMethod; code: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<LoginCodeResult> {
  const method = input.method ?? "sms";
  const now = input.now ?? new Date();
  const info = input.info ?? {};
  // Wrong codes are also counted per account across challenges, so new sign-ins do not buy new guesses.
  const accountKey = `mfa:account:${pending.userId}`;
  const blocked = await blockedUntil(db, accountKey, now);
  if (blocked) return { ok: false, error: "mfa_throttled", retryAt: blocked };
  let backupCodesLeft: number | undefined;
  // Every method checks against the same challenge, so the per-challenge cap covers them all.
  const matcher: Record<LoginMethod, (c: OtpChallenge) => Promise<boolean> | boolean> = {
    sms: (c) => c.sendCount > 0 && codeMatches(c.id, c.userId, input.code, c.codeHash),
    totp: async () => (await verifyTotpForUser(db, pending.userId, input.code, now)).ok,
    backup: async () => {
      const r = await redeemBackupCode(db, pending.userId, input.code, { now, info, organisationId: pending.organisationId });
      if (r.ok) backupCodesLeft = r.remaining;
      return r.ok;
    },
  };
  const outcome = await verifyChallenge(
    db,
    { challengeId: input.challengeId, userId: pending.userId, sessionId: pending.sessionId, purpose: "login", code: input.code, consume: true, now },
    matcher[method],
  );
  const event = { userId: pending.userId, organisationId: pending.organisationId, ...info };
  switch (outcome.status) {
    case "ok": {
      const promoted = await promotePendingSession(db, pending.sessionId, info, now);
      if (!promoted) return { ok: false, error: "challenge_missing" };
      if (method === "sms" && outcome.challenge.factorId)
        await db.update(mfaFactors).set({ lastUsedAt: now }).where(eq(mfaFactors.id, outcome.challenge.factorId));
      await clearFailures(db, accountKey);
      await recordEvent(db, { action: "sign_in.succeeded", ...event, detail: { mfa: true, method } });
      return { ok: true, token: promoted.token, method, backupCodesLeft };
    }
    case "wrong": {
      await recordEvent(db, { action: "sign_in.failed_code", ...event, detail: { attemptsLeft: outcome.attemptsLeft } });
      const until = await recordFailure(db, accountKey, LIMITS.mfaAccount(), now);
      if (until) return { ok: false, error: "mfa_throttled", retryAt: until };
      return { ok: false, error: "code_wrong", attemptsLeft: outcome.attemptsLeft };
    }
    case "locked":
      // The guess that used up the last attempt is a wrong code too: it counts toward the per-account limit.
      if (outcome.counted) await recordFailure(db, accountKey, LIMITS.mfaAccount(), now);
      await revokeSession(db, pending.sessionId, "mfa_locked", now);
      await recordEvent(db, { action: "sign_in.mfa_locked", ...event });
      return { ok: false, error: "code_locked" };
    case "expired":
      return { ok: false, error: "code_expired" };
    default:
      return { ok: false, error: "challenge_missing" };
  }
}
