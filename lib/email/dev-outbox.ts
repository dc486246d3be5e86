import { desc, eq, or } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { emailOutbox } from "@/db/schema";
import type { EmailSender } from "./types";

/**
 * Development sender: the message counts as delivered and its rendered subject and parts are kept on its outbox
 * row (the sender writes them; lib/email/sender.ts) for the /dev/outbox page. Never active in production;
 * see isEmailOutboxActive().
 */
export function createDevOutboxSender(): EmailSender {
  return {
    provider: "outbox",
    async send(email) {
      return { ok: true, messageId: `outbox-${email.id}` };
    },
  };
}

/**
 * Emails for /dev/outbox, newest first: those the development outbox kept, and every one not sent (queued,
 * being sent, failed) with its status, so a failure is visible there too.
 */
export function listEmailOutbox(db: Db, limit = 50) {
  return db
    .select({
      id: emailOutbox.id,
      to: emailOutbox.toAddress,
      template: emailOutbox.template,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      lastError: emailOutbox.lastError,
      nextAttemptAt: emailOutbox.nextAttemptAt,
      subject: emailOutbox.subject,
      html: emailOutbox.bodyHtml,
      text: emailOutbox.bodyText,
      createdAt: emailOutbox.createdAt,
      sentAt: emailOutbox.sentAt,
    })
    .from(emailOutbox)
    .where(or(eq(emailOutbox.provider, "outbox"), eq(emailOutbox.status, "pending"), eq(emailOutbox.status, "sending"), eq(emailOutbox.status, "failed")))
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(limit);
}

export type OutboxEmail = Awaited<ReturnType<typeof listEmailOutbox>>[number];

/** The http(s) links of an email's HTML, in order, each once: for the outbox page and the browser tests. */
export function linksIn(html: string): string[] {
  const links = new Set<string>();
  for (const match of html.matchAll(/<a\b[^>]*?\bhref="([^"]*)"/gi)) {
    const href = match[1].replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    if (/^https?:\/\//i.test(href)) links.add(href);
  }
  return [...links];
}

/**
 * The HTML as the outbox page shows it, inside a sandboxed frame without scripts: links open in the page
 * itself (the top window) rather than in a new tab.
 */
export function previewDocument(html: string): string {
  const withTargets = html.replace(/(<a\b[^>]*?)\s+target="[^"]*"/gi, "$1");
  const base = '<base target="_top">';
  return /<head[^>]*>/i.test(withTargets) ? withTargets.replace(/<head([^>]*)>/i, `<head$1>${base}`) : `${base}${withTargets}`;
}
