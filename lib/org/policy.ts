import { and, count, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { confirmPassword } from "@/lib/auth/step-up";
import type { OrgActor, OrgError } from "./errors";

/**
 * Turns "Require multi-factor authentication for all users" on or off. Either way the admin confirms
 * their current password first (ASVS 7.5.1, SECURITY.md 31). The gate reads the flag on every request,
 * so members without a factor are sent to setup from their very next request, not their next sign-in.
 */
export async function setMfaRequirement(
  db: Db,
  actor: OrgActor,
  input: { required: boolean; password: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<{ ok: false; error: OrgError } | { ok: true; changed: boolean; membersWithoutMfa: number }> {
  const now = input.now ?? new Date();
  const confirmed = await confirmPassword(db, { userId: actor.userId, sessionId: actor.sessionId, password: input.password, now });
  if (!confirmed) return { ok: false, error: "password_wrong" };
  return db.transaction(async (tx) => {
    const [org] = await tx
      .select({ mfaRequired: organisations.mfaRequired })
      .from(organisations)
      .where(eq(organisations.id, actor.organisationId))
      .for("update");
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
