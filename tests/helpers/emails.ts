import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { emailOutbox } from "@/db/schema";
import { decrypt } from "@/lib/crypto/encryption";
import { sealedPropsContext } from "@/lib/email/outbox";

export type QueuedMessage = { id: string; template: string; to: string; userId: string | null; props: Record<string, unknown> };

/** The emails queued to an address (oldest first), with their sealed props (links, codes) opened and merged in. */
export async function queuedEmails(db: Db, to: string): Promise<QueuedMessage[]> {
  const rows = await db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, to.toLowerCase())).orderBy(asc(emailOutbox.createdAt), asc(emailOutbox.id));
  return rows.map((row) => ({
    id: row.id,
    template: row.template,
    to: row.toAddress,
    userId: row.userId,
    props: { ...row.props, ...(row.sealedProps ? JSON.parse(decrypt(row.sealedProps, sealedPropsContext(row.id))) : {}) },
  }));
}

/** The token at the end of an emailed link's path (/reset-password/<token>, /confirm-email/<token>). */
export function tokenOf(message: QueuedMessage): string {
  const link = message.props.link;
  if (typeof link !== "string") throw new Error(`the ${message.template} email has no link`);
  const token = new URL(link).pathname.split("/").at(-1);
  if (!token) throw new Error(`no token in ${message.template} link`);
  return token;
}

/** The newest email of a template to an address, or an error naming what was queued instead. */
export async function latestQueued(db: Db, to: string, template: string): Promise<QueuedMessage> {
  const all = await queuedEmails(db, to);
  const match = all.filter((m) => m.template === template).at(-1);
  if (!match) throw new Error(`no ${template} email to ${to} (queued: ${all.map((m) => m.template).join(", ") || "none"})`);
  return match;
}
