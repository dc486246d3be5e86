import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import { forgetTrustedBrowsers } from "@/lib/auth/trusted-browsers";
import { mayRemoveLastFactor, readMfaPolicy } from "@/lib/org/policy";
import type { Actor } from "./actor";
import { closeOtherEnrollments } from "./challenge";
import { lockFactors } from "./enrollment";
import { FACTORS } from "./factors";
import { type FactorKind, type LoginMethod, MFA_METHODS } from "./method";
import { withStepUp } from "./step-up";

export type RemoveFactorsResult =
  | { ok: false; error: "no_factor" | "org_requires_mfa" }
  /** names: the passkeys that went, by the names their owner gave them (for the audit event and its notice). */
  | { ok: true; removed: LoginMethod[]; mfaEnabled: boolean; names: string[] };

/**
 * The one way factors leave an account, used by the user (remove one method, or switch MFA off) and by an
 * admin's reset. In the caller's transaction: the user's row is locked (lockFactors), the factor or all of
 * them go, and when none is left MFA is off and the backup codes are void. `lastAllowed` false refuses to
 * remove the last factor (the organisation requires MFA). Enrolments open in other sessions are closed;
 * `keepSessionId` is the caller's own session, whose enrolment may go on. Every browser trusted to skip the
 * second factor is forgotten (lib/auth/trusted-browsers.ts): after a user's removal, an admin's reset and an
 * operator's reset alike, a browser trusted on the old factors no longer stands in for them.
 */
export async function removeFactors(
  tx: Db,
  input: {
    userId: string;
    which: FactorKind | "all";
    /** One key of a kind a user may hold several of (a passkey); without it, every factor of `which`. */
    factorId?: string;
    lastAllowed: boolean;
    keepSessionId: string | null;
    now: Date;
  },
): Promise<RemoveFactorsResult> {
  const factors = await lockFactors(tx, input.userId);
  const targets = factors.filter((f) => input.which === "all" || (f.kind === input.which && (!input.factorId || f.id === input.factorId)));
  if (input.which !== "all" && targets.length === 0) return { ok: false, error: "no_factor" };
  const last = targets.length === factors.length;
  if (last && factors.length > 0 && !input.lastAllowed) return { ok: false, error: "org_requires_mfa" };

  const removed: LoginMethod[] = [];
  for (const method of MFA_METHODS) {
    const goes = method === "backup" ? last : targets.some((f) => f.kind === method);
    if (goes && (await FACTORS[method].remove(tx, input.userId, input.which === method ? input.factorId : undefined))) removed.push(method);
  }
  if (last) await tx.update(users).set({ mfaEnabled: false }).where(eq(users.id, input.userId));
  await forgetTrustedBrowsers(tx, input.userId);
  await closeOtherEnrollments(tx, input.userId, input.keepSessionId ?? "00000000-0000-0000-0000-000000000000", input.now);
  const names = targets.filter((f) => f.kind === "passkey").map((f) => f.name ?? "Passkey");
  return { ok: true, removed, mfaEnabled: !last, names };
}

/**
 * A user removing one of their own methods, or all of them (switching MFA off): needs the password
 * re-entered and a verified step-up from a current factor (withStepUp). The organisation's policy is read
 * in the same transaction. Other sessions end and the change is audited.
 */
export function removeOwnFactors(
  db: Db,
  actor: Actor,
  input: { which: FactorKind | "all"; factorId?: string; stepUpChallengeId: string | null | undefined; now?: Date; info?: Partial<RequestInfo> },
) {
  const now = input.now ?? new Date();
  return withStepUp(db, actor, { stepUpChallengeId: input.stepUpChallengeId, now }, async (tx) => {
    const policy = await readMfaPolicy(tx, actor.organisationId);
    const result = await removeFactors(tx, { userId: actor.userId, which: input.which, factorId: input.factorId, lastAllowed: mayRemoveLastFactor(policy), keepSessionId: actor.sessionId, now });
    if (!result.ok) return result;
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, result.mfaEnabled ? "mfa_factor_removed" : "mfa_disabled", now);
    const method: Record<string, string> = input.which === "all" ? {} : { method: input.which };
    if (input.factorId && result.names[0]) method.name = result.names[0];
    await recordEvent(tx, {
      action: result.mfaEnabled ? "mfa.factor_removed" : "mfa.disabled",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: result.mfaEnabled ? { ...method, otherSessionsEnded: ended } : { ...method, methods: result.removed, otherSessionsEnded: ended },
      ...input.info,
    });
    return { ok: true as const, mfaEnabled: result.mfaEnabled };
  });
}
