import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { emailOutbox } from "@/db/schema";
import { decrypt } from "@/lib/crypto/encryption";
import { linksIn } from "@/lib/email/dev-outbox";
import { sealedPropsContext } from "@/lib/email/outbox";

/** links: those of the rendered HTML, once the (dev outbox) sender sent it; its sealed props are erased by then. */
export type QueuedMessage = { id: string; template: string; to: string; userId: string | null; props: Record<string, unknown>; links: string[] };

/** The emails queued so far (optionally to one address), oldest first, with their sealed props (links, codes) opened. */
export async function queuedEmails(db: Db, to?: string): Promise<QueuedMessage[]> {
  const rows = await db
    .select()
    .from(emailOutbox)
    .where(to ? eq(emailOutbox.toAddress, to.toLowerCase()) : undefined)
    .orderBy(asc(emailOutbox.createdAt), asc(emailOutbox.id));
  return rows.map((row) => ({
    id: row.id,
    template: row.template,
    to: row.toAddress,
    userId: row.userId,
    props: { ...row.props, ...(row.sealedProps ? JSON.parse(decrypt(row.sealedProps, sealedPropsContext(row.id))) : {}) },
    links: row.bodyHtml ? linksIn(row.bodyHtml) : [],
  }));
}

/** The token at the end of an emailed link's path (/reset-password/<token>, /verify-email/<token>). */
export function tokenOf(message: QueuedMessage, prop = "link"): string {
  // A sent email no longer holds its sealed link: read it from the HTML the person received.
  const link = message.props[prop] ?? message.links.find((l) => /\/(reset-password|verify-email|confirm-email|invite)\/[^/]+$/.test(new URL(l).pathname));
  if (typeof link !== "string") throw new Error(`the ${message.template} email has no ${prop}`);
  const token = new URL(link).pathname.split("/").at(-1);
  if (!token) throw new Error(`no token in ${message.template} ${prop}`);
  return token;
}

/** The newest email of a template to an address, or an error naming what was queued instead. */
export async function latestQueued(db: Db, to: string, template: string): Promise<QueuedMessage> {
  const all = await queuedEmails(db, to);
  const match = all.filter((m) => m.template === template).at(-1);
  if (!match) throw new Error(`no ${template} email to ${to} (queued: ${all.map((m) => m.template).join(", ") || "none"})`);
  return match;
}

/** The token of the newest email of a template to an address. */
export async function linkToken(db: Db, to: string, template: string, prop = "link"): Promise<string> {
  return tokenOf(await latestQueued(db, to, template), prop);
}
