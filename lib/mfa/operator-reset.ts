import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import { lockFactors } from "./enrollment";
import { removeFactors } from "./remove";

export type OperatorMfaReset = { ok: true; factorsRemoved: number; sessionsEnded: number } | { ok: false; error: "no_account" | "mfa_not_set_up" };

/**
 * An operator's MFA reset from the command line (npm run admin:reset-mfa), for someone who lost every factor
 * and has no admin to ask: the same removal as an admin's reset (removeFactors, all factors, the last one
 * included), every session ends, and the event is the admin reset's with no actor and `by: "operator"`, so
 * the user is told as after an admin's reset (NIST SP 800-63B 4.6). The operator must have checked who is
 * asking by other means first.
 */
export async function resetMfaByOperator(db: Db, email: string, now = new Date()): Promise<OperatorMfaReset> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, mfaEnabled: users.mfaEnabled, organisationId: memberships.organisationId })
      .from(users)
      .leftJoin(memberships, eq(memberships.userId, users.id))
      .where(eq(users.email, email.trim().toLowerCase()));
    if (!user) return { ok: false, error: "no_account" } as const;
    const held = await lockFactors(tx, user.id);
    if (!user.mfaEnabled && held.length === 0) return { ok: false, error: "mfa_not_set_up" } as const;
    const removed = await removeFactors(tx, { userId: user.id, which: "all", lastAllowed: true, keepSessionId: null, now });
    const factors = removed.ok ? removed.removed.filter((m) => m !== "backup") : [];
    const ended = await revokeOtherSessions(tx, user.id, null, "mfa_reset_by_operator", now);
    await recordEvent(tx, {
      action: "org.member_mfa_reset",
      userId: user.id,
      actorId: null,
      organisationId: user.organisationId,
      detail: { by: "operator", factorsRemoved: factors.length, sessionsEnded: ended },
    });
    return { ok: true, factorsRemoved: factors.length, sessionsEnded: ended } as const;
  });
}
