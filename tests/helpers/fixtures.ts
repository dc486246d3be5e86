import crypto from "node:crypto";
import { count } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Db } from "@/db/connect";
import { memberships, mfaFactors, organisations, sessions, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import type { SmsMessage, SmsResult, SmsSender } from "@/lib/sms/types";

export const TEST_PASSWORD = "correct horse battery";

/** An SMS sender that keeps every message in memory; `failing` makes it answer like a provider outage. */
export function recordingSms(provider: SmsSender["provider"] = "sns") {
  const sent: SmsMessage[] = [];
  const state = { failing: false };
  const sender: SmsSender = {
    provider,
    async send(message): Promise<SmsResult> {
      if (state.failing) return { ok: false, error: "ProviderDown" };
      sent.push(message);
      return { ok: true, messageId: `m-${sent.length}` };
    },
  };
  return {
    sender,
    sent,
    state,
    /** The code in the newest message (optionally to one number), read from its `@host #code` line. */
    lastCode(to?: string): string {
      const message = [...sent].reverse().find((m) => to === undefined || m.to === to);
      if (!message) throw new Error(`no SMS${to ? ` to ${to}` : ""} was sent`);
      return codeInBody(message.body);
    },
  };
}

export function codeInBody(body: string): string {
  const match = /#(\d{6})$/.exec(body);
  if (!match) throw new Error("no code in the message");
  return match[1];
}

/** randomInt that hands out the given values in order (then repeats the last). */
export function fixedRandom(...values: number[]) {
  let i = 0;
  return (_max: number) => values[Math.min(i++, values.length - 1)];
}

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${crypto.randomBytes(4).toString("hex")}@example.com`;
}

/** A user in their own organisation; with `phone`, MFA is on with that verified SMS factor. */
export async function makeUser(
  db: Db,
  options: { email?: string; password?: string; phone?: string; role?: "admin" | "member"; mfaRequired?: boolean; emailVerified?: boolean } = {},
) {
  const [org] = await db
    .insert(organisations)
    .values({ name: "Test Org", mfaRequired: options.mfaRequired ?? false })
    .returning();
  const [user] = await db
    .insert(users)
    .values({
      name: "Test User",
      email: (options.email ?? uniqueEmail()).toLowerCase(),
      passwordHash: await hashPassword(options.password ?? TEST_PASSWORD),
      mfaEnabled: Boolean(options.phone),
      emailVerifiedAt: options.emailVerified === false ? null : new Date(),
    })
    .returning();
  await db.insert(memberships).values({ userId: user.id, organisationId: org.id, role: options.role ?? "member" });
  const factor = options.phone
    ? (await db.insert(mfaFactors).values({ userId: user.id, kind: "sms", phone: options.phone, verifiedAt: new Date() }).returning())[0]
    : null;
  return { user, org, factor };
}

export async function countRows(db: Db, table: PgTable): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table);
  return Number(row.n);
}

export async function countAll(db: Db) {
  return {
    users: await countRows(db, users),
    organisations: await countRows(db, organisations),
    memberships: await countRows(db, memberships),
    sessions: await countRows(db, sessions),
  };
}
