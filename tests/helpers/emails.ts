import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { emailOutbox } from "@/db/schema";
import { decrypt } from "@/lib/crypto/encryption";
import { sealedPropsContext } from "@/lib/email/outbox";

export interface QueuedMessage {
  id: string;
  to: string;
  userId: string | null;
  template: string;
  props: Record<string, unknown>;
}

/** The emails queued so far (optionally to one address), oldest first, with their sealed props opened. */
export async function queuedEmails(db: Db, to?: string): Promise<QueuedMessage[]> {
  const rows = await db
    .select()
    .from(emailOutbox)
    .where(to ? eq(emailOutbox.toAddress, to) : undefined)
    .orderBy(asc(emailOutbox.createdAt), asc(emailOutbox.id));
  return rows.map((row) => ({
    id: row.id,
    to: row.toAddress,
    userId: row.userId,
    template: row.template,
    props: { ...row.props, ...(row.sealedProps ? JSON.parse(decrypt(row.sealedProps, sealedPropsContext(row.id))) : {}) },
  }));
}

/** The token at the end of the newest email's link of one template to an address. */
export async function linkToken(db: Db, to: string, template: string, prop = "link"): Promise<string> {
  const message = (await queuedEmails(db, to)).filter((m) => m.template === template).at(-1);
  if (!message) throw new Error(`no ${template} email to ${to}`);
  const link = String(message.props[prop]);
  return new URL(link).pathname.split("/").at(-1) ?? "";
}
