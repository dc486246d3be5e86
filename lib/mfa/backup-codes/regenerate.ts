import type { Db } from "@/db/connect";
import type { RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import type { Actor } from "../actor";
import { withStepUp } from "../step-up";
import { regenerateBackupCodes } from "./codes";

/**
 * "Regenerate codes" on My account: the old set stops working. Needs the step-up as well as the password:
 * with only a stolen session and password, new codes would be a lasting second factor. Other sessions end.
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
