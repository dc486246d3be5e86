import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import { hasFreshPassword } from "@/lib/auth/step-up";
import type { LoginMethod } from "./methods";
import type { Actor } from "./sms-factor";

export type RemoveFactorResult =
  | { ok: false; error: "step_up_required" | "factor_required" | "no_factor" | "org_requires_mfa" }
  | { ok: true; mfaEnabled: boolean };

/** What turning MFA off removed, for its audit event: the factor kinds, and "backup" when unused backup codes were voided. */
export function removedMethods(factors: { kind: "sms" | "totp" }[], codes: { usedAt: Date | null }[]): LoginMethod[] {
  const methods: LoginMethod[] = (["totp", "sms"] as const).filter((kind) => factors.some((f) => f.kind === kind));
  if (codes.some((c) => c.usedAt === null)) methods.push("backup");
  return methods;
}

/**
 * Removes the user's factor of one kind. Needs the password confirmed in the last few minutes and
 * `factorVerified` (the caller consumed a step-up from a current factor). Removing the last factor turns
 * MFA off and voids the backup codes (refused when the organisation requires MFA); either way other
 * sessions end and the change is audited. The user row is locked so two removals cannot both see "not last".
 */
export async function removeFactor(
  db: Db,
  actor: Actor,
  kind: "sms" | "totp",
  input: { factorVerified: boolean; orgRequiresMfa?: boolean; now?: Date; info?: Partial<RequestInfo> },
  /** Extra work inside the same transaction, after the factor is gone. */
  alsoInTransaction?: (tx: Db, now: Date) => Promise<unknown>,
): Promise<RemoveFactorResult> {
  const now = input.now ?? new Date();
  if (!hasFreshPassword(actor, now)) return { ok: false, error: "step_up_required" };
  if (!input.factorVerified) return { ok: false, error: "factor_required" };
  return db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.userId)).for("update");
    const factors = await tx.select({ id: mfaFactors.id, kind: mfaFactors.kind }).from(mfaFactors).where(eq(mfaFactors.userId, actor.userId));
    const factor = factors.find((f) => f.kind === kind);
    if (!factor) return { ok: false, error: "no_factor" } as const;
    const last = factors.length === 1;
    if (last && input.orgRequiresMfa) return { ok: false, error: "org_requires_mfa" } as const;

    await tx.delete(mfaFactors).where(eq(mfaFactors.id, factor.id));
    if (last) await tx.update(users).set({ mfaEnabled: false }).where(eq(users.id, actor.userId));
    const voided = last ? await tx.delete(backupCodes).where(eq(backupCodes.userId, actor.userId)).returning({ usedAt: backupCodes.usedAt }) : [];
    await alsoInTransaction?.(tx, now);
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, last ? "mfa_disabled" : "mfa_factor_removed", now);
    await recordEvent(tx, {
      action: last ? "mfa.disabled" : "mfa.factor_removed",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: last ? { method: kind, methods: removedMethods([factor], voided), otherSessionsEnded: ended } : { method: kind, otherSessionsEnded: ended },
      ...input.info,
    });
    return { ok: true, mfaEnabled: !last } as const;
  });
}
