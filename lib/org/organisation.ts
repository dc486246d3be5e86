import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { organisations } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import type { OrgActor } from "./errors";

export async function getOrganisation(db: Db, organisationId: string) {
  const [org] = await db
    .select({ id: organisations.id, name: organisations.name, mfaRequired: organisations.mfaRequired, mfaRequiredAt: organisations.mfaRequiredAt, mfaMethods: organisations.mfaMethods })
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
