import { count, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors } from "@/db/schema";
import type { RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import { countRemainingBackupCodes, regenerateBackupCodes } from "./backup-codes";
import { type Actor, removeSmsFactor } from "./sms-factor";
import { withStepUp } from "./step-up";
import { removeTotpFactor, startTotpEnrollment } from "./totp-factor";

/**
 * The sign-in methods My account manages. Every change here needs the password confirmed in the last few
 * minutes and, once the user has a factor, a verified step-up from a current one (withStepUp), then
 * writes an audit event and ends the user's other sessions (issue 5 item 4).
 */

export interface AccountMethods {
  sms: { phone: string; verifiedAt: Date } | null;
  /** When the authenticator app was added (its latest replacement). Never the secret. */
  totp: { addedAt: Date } | null;
  backupCodesLeft: number;
  /** Whether a set was ever issued (an account from before backup codes has none). */
  hasBackupCodes: boolean;
}

export async function listAccountMethods(db: Db, userId: string): Promise<AccountMethods> {
  const factors = await db
    .select({ kind: mfaFactors.kind, phone: mfaFactors.phone, verifiedAt: mfaFactors.verifiedAt })
    .from(mfaFactors)
    .where(eq(mfaFactors.userId, userId));
  const sms = factors.find((f) => f.kind === "sms" && f.phone);
  const totp = factors.find((f) => f.kind === "totp");
  const [held] = await db.select({ n: count() }).from(backupCodes).where(eq(backupCodes.userId, userId));
  return {
    sms: sms?.phone ? { phone: sms.phone, verifiedAt: sms.verifiedAt } : null,
    totp: totp ? { addedAt: totp.verifiedAt } : null,
    backupCodesLeft: factors.length > 0 ? await countRemainingBackupCodes(db, userId) : 0,
    hasBackupCodes: Number(held?.n ?? 0) > 0,
  };
}

/**
 * Opens an authenticator-app enrolment (add or replace). The first factor needs only the fresh password;
 * with a factor already in place, the step-up is consumed as the enrolment opens.
 */
export function beginTotpEnrollment(db: Db, actor: Actor, input: { stepUpChallengeId?: string | null; now?: Date }) {
  if (!input.stepUpChallengeId) return startTotpEnrollment(db, actor, { now: input.now });
  return withStepUp(db, actor, { stepUpChallengeId: input.stepUpChallengeId, now: input.now }, (tx) =>
    startTotpEnrollment(tx, actor, { factorVerified: true, now: input.now }),
  );
}

/** Removes one method. The last one turns MFA off and voids the backup codes (refused if the organisation requires MFA). */
export function removeMethod(
  db: Db,
  actor: Actor,
  input: { kind: "totp" | "sms"; stepUpChallengeId: string | null; orgRequiresMfa: boolean; now?: Date; info?: Partial<RequestInfo> },
) {
  const options = { factorVerified: true, orgRequiresMfa: input.orgRequiresMfa, now: input.now, info: input.info };
  return withStepUp(db, actor, { stepUpChallengeId: input.stepUpChallengeId, now: input.now }, (tx) =>
    input.kind === "totp" ? removeTotpFactor(tx, actor, options) : removeSmsFactor(tx, actor, options),
  );
}

/**
 * Replaces the whole set of backup codes (SECURITY.md 17: fresh re-authentication). A current factor is
 * asked for as well: with only a stolen session and password, new codes would be a lasting second factor.
 */
export function regenerateCodes(db: Db, actor: Actor, input: { stepUpChallengeId: string | null; now?: Date; info?: Partial<RequestInfo> }) {
  const now = input.now ?? new Date();
  return withStepUp(db, actor, { stepUpChallengeId: input.stepUpChallengeId, now }, async (tx) => {
    const result = await regenerateBackupCodes(tx, actor, { now, info: input.info });
    if (!result.ok) return result;
    await revokeOtherSessions(tx, actor.userId, actor.sessionId, "mfa_backup_codes_regenerated", now);
    return result;
  });
}
