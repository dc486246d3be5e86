import { AsyncLocalStorage } from "node:async_hooks";
import type { Db } from "@/db/connect";
import { emailOutbox } from "@/db/schema";
import { encrypt } from "@/lib/crypto/encryption";
import { uuidv7 } from "@/lib/crypto/uuid7";
import type { EmailMessage } from "./messages";
import { SEALED_PROPS } from "./messages";
import { sql } from "drizzle-orm";
import { users } from "@/db/schema";
import { currentLocale } from "@/lib/i18n/context";

export interface QueuedEmail {
  /** The account it is about, if any (an invitation may go to an address without one). */
  userId?: string | null;
  to: string;
  message: EmailMessage;
}

/** The associated data that binds a row's sealed props to that row. */
export const sealedPropsContext = (id: string) => `email_outbox:${id}`;

/**
 * Queues emails in the caller's transaction: they exist exactly when the change that causes them commits,
 * and none is sent from inside a request (the sender takes them after the response). Props that carry a token
 * are sealed with the application key, bound to the row's id.
 */
export async function queueEmails(db: Db, emails: QueuedEmail[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = emails.map(({ userId, to, message }) => {
    // Time-ordered: the outbox lists the newest first, also among rows one statement wrote.
    const id = uuidv7();
    const { template, ...all } = message;
    const props: Record<string, unknown> = { ...all };
    const sealed: Record<string, unknown> = {};
    for (const name of SEALED_PROPS) {
      if (name in props) {
        sealed[name] = props[name];
        delete props[name];
      }
    }
    const sealedProps = Object.keys(sealed).length > 0 ? encrypt(JSON.stringify(sealed), sealedPropsContext(id)) : null;
    // The recipient's language: their saved choice, else the language of the request that queued it (English in a job).
    const locale = sql<string>`coalesce((select ${users.locale} from ${users} where ${users.id} = ${userId ?? null}::uuid), ${currentLocale()})`;
    return { id, userId: userId ?? null, toAddress: to, template, props, sealedProps, locale };
  });
  await db.insert(emailOutbox).values(rows);
  noteQueuedEmail();
  return rows.map((r) => r.id);
}

/** For a statement that wrote outbox rows itself (a notice inside a sign-in's statement): they go after the response. */
export function noteQueuedEmail(): void {
  const scope = queueScopes.getStore();
  if (scope) scope.queued = true;
}

export async function queueEmail(db: Db, email: QueuedEmail): Promise<string> {
  const [id] = await queueEmails(db, [email]);
  return id;
}

interface QueueScope {
  queued: boolean;
}

// On globalThis: Next bundles routes and actions apart, and all of them must see one store.
const shared = globalThis as { __emailQueueScopes?: AsyncLocalStorage<QueueScope> };
shared.__emailQueueScopes ??= new AsyncLocalStorage<QueueScope>();
const queueScopes = shared.__emailQueueScopes;

/**
 * Runs `run` (a request's work) noting whether it queued any email, and calls `settled(queued)` once it has
 * finished, thrown or redirected. A request that queued nothing costs no query: the note is a flag in memory,
 * kept per request (AsyncLocalStorage), so one request never sends before another's transaction committed.
 */
export async function trackQueuedEmails<T>(run: () => Promise<T>, settled: (queued: boolean) => void): Promise<T> {
  const scope: QueueScope = { queued: false };
  try {
    return await queueScopes.run(scope, run);
  } finally {
    settled(scope.queued);
  }
}
