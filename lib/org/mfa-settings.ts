import { and, count, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import type { OrgActor, OrgError } from "./errors";
import { lockWithPermission } from "./members";

type Refused = { ok: false; error: OrgError };

/**
 * Turns "Require multi-factor authentication for all users" on or off. Either way the admin's step-up must
 * be fresh (lib/org/permissions.ts; ASVS 5.0 7.5.1). The gate reads the flag on every request, so members
 * without a factor are sent to setup from their very next request, not their next sign-in.
 */
export async function setMfaRequirement(
  db: Db,
  actor: OrgActor,
  input: { required: boolean; now?: Date; info?: Partial<RequestInfo> },
): Promise<Refused | { ok: true; changed: boolean; membersWithoutMfa: number }> {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "mfa_policy.change", now);
    if (refused) return { ok: false, error: refused } as const;
    const [org] = await tx.select({ mfaRequired: organisations.mfaRequired }).from(organisations).where(eq(organisations.id, actor.organisationId));
    if (!org) return { ok: false, error: "forbidden" } as const;
    const [without] = await tx
      .select({ n: count() })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organisationId, actor.organisationId), eq(users.mfaEnabled, false)));
    const membersWithoutMfa = Number(without.n);
    if (org.mfaRequired === input.required) return { ok: true, changed: false, membersWithoutMfa } as const;
    await tx
      .update(organisations)
      .set({ mfaRequired: input.required, mfaRequiredAt: input.required ? now : null })
      .where(eq(organisations.id, actor.organisationId));
    await recordEvent(tx, {
      action: input.required ? "org.mfa_required" : "org.mfa_not_required",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { membersWithoutMfa },
      ...input.info,
    });
    return { ok: true, changed: true, membersWithoutMfa } as const;
  });
}

/**
 * Which methods members may use: "any" (authenticator app or SMS) or "totp_only" (NIST SP 800-63B 3.2.9
 * calls SMS restricted). With "totp_only", members whose only method is SMS are held at setup by the gate
 * from their next request, and SMS is not offered at enrolment. Needs the admin's fresh step-up; audited.
 */
export async function setMfaMethods(
  db: Db,
  actor: OrgActor,
  input: { methods: "any" | "totp_only"; now?: Date; info?: Partial<RequestInfo> },
): Promise<Refused | { ok: true; changed: boolean }> {
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "mfa_policy.change", input.now);
    if (refused) return { ok: false, error: refused } as const;
    const changed = await tx
      .update(organisations)
      .set({ mfaMethods: input.methods })
      .where(and(eq(organisations.id, actor.organisationId), ne(organisations.mfaMethods, input.methods)))
      .returning({ id: organisations.id });
    if (changed.length === 0) return { ok: true, changed: false } as const;
    await recordEvent(tx, {
      action: "org.mfa_methods_changed",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { methods: input.methods },
      ...input.info,
    });
    return { ok: true, changed: true } as const;
  });
}
