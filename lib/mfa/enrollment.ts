import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { mfaFactors, users } from "@/db/schema";
import { type AuditAction, recordEvent, type RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import type { Actor } from "./actor";
import { generateBackupCodes } from "./backup-codes/codes";
import { closeOtherEnrollments } from "./challenge";

/**
 * Locks the user's row for the rest of the transaction and returns their factors: every change to a user's
 * factors goes through here, so two enrolments, or an enrolment and a removal, run one after the other
 * and the "is this the first / the last factor" decision cannot race.
 */
export async function lockFactors(tx: Db, userId: string) {
  await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
  return tx.select().from(mfaFactors).where(eq(mfaFactors.userId, userId));
}

/**
 * What follows every factor that is added or replaced, in the enrolment's transaction (after the enrolment
 * spent any re-enrolment proof an admin's reset asked for, lib/mfa/reenrol.ts): MFA is on, a first
 * set of backup codes is issued when asked (returned once), enrolments other sessions had open are void,
 * the other sessions end (NIST SP 800-63B 4.6: a changed authenticator must not leave old sessions
 * behind), and the change is audited.
 */
export async function applyFactorChange(
  tx: Db,
  actor: Actor,
  input: {
    action: AuditAction;
    /** Why the other sessions ended (sessions.revoked_reason). */
    reason: string;
    detail: Record<string, string | number | boolean | null>;
    issueBackupCodes: boolean;
    now: Date;
    info?: Partial<RequestInfo>;
  },
): Promise<{ backupCodes: string[] | null }> {
  const { now } = input;
  // After an admin's reset the password alone must not add a factor: the enrolment spends the proof first
  // (spendReenrolProof, lib/mfa/reenrol.ts). A path that forgot it fails here and its transaction rolls back.
  const [enabled] = await tx
    .update(users)
    .set({ mfaEnabled: true })
    .where(and(eq(users.id, actor.userId), isNull(users.mfaReenrolProof)))
    .returning({ id: users.id });
  if (!enabled) throw new Error("A factor was added without the re-enrolment proof an admin's reset asks for (spendReenrolProof).");
  const codes = input.issueBackupCodes ? await generateBackupCodes(tx, actor.userId, { now }) : null;
  await closeOtherEnrollments(tx, actor.userId, actor.sessionId, now);
  const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, input.reason, now);
  await recordEvent(tx, {
    action: input.action,
    userId: actor.userId,
    organisationId: actor.organisationId,
    detail: { ...input.detail, otherSessionsEnded: ended },
    ...input.info,
  });
  return { backupCodes: codes };
}
