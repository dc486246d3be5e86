import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import type { OrgActor } from "./errors";

/**
 * A signed-in user without an organisation (a removed member) starts their own, as its admin. The name is
 * validated by organisationNameSchema first. The user row is locked and the one-membership-per-user index
 * backs it up, so a double submit or a race with joining by invitation leaves one membership.
 */
export async function createOrganisation(
  db: Db,
  userId: string,
  name: string,
  info: Partial<RequestInfo> = {},
): Promise<{ ok: true; organisationId: string } | { ok: false; error: "already_in_organisation" }> {
  try {
    return await db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
      const [member] = await tx.select({ id: memberships.id }).from(memberships).where(eq(memberships.userId, userId));
      if (member) return { ok: false, error: "already_in_organisation" } as const;
      const [org] = await tx.insert(organisations).values({ name }).returning({ id: organisations.id });
      await tx.insert(memberships).values({ userId, organisationId: org.id, role: "admin" });
      await recordEvent(tx, { action: "org.created", userId, organisationId: org.id, detail: { name }, ...info });
      return { ok: true, organisationId: org.id } as const;
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } })?.cause?.code ?? (error as { code?: string }).code;
    if (String(code) === "23505") return { ok: false, error: "already_in_organisation" };
    throw error;
  }
}

export async function getOrganisation(db: Db, organisationId: string) {
  const [org] = await db
    .select({
      id: organisations.id,
      name: organisations.name,
      mfaRequired: organisations.mfaRequired,
      mfaRequiredAt: organisations.mfaRequiredAt,
      mfaEnforcedFrom: organisations.mfaEnforcedFrom,
      mfaMethods: organisations.mfaMethods,
    })
    .from(organisations)
    .where(eq(organisations.id, organisationId));
  return org ?? null;
}

/** The name is validated by organisationNameSchema (trimmed, 1-100 characters) before it gets here. */
export async function renameOrganisation(db: Db, actor: OrgActor, name: string, info: Partial<RequestInfo> = {}) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, actor.organisationId)).for("update");
    if (!before) return { ok: false as const, error: "forbidden" as const };
    if (before.name === name) return { ok: true as const, changed: false };
    await tx.update(organisations).set({ name }).where(eq(organisations.id, actor.organisationId));
    await recordEvent(tx, {
      action: "org.renamed",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { from: before.name, to: name },
      ...info,
    });
    return { ok: true as const, changed: true };
  });
}
