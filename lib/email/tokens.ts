import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { type EmailToken, emailTokens } from "@/db/schema";
import { randomToken, sha256 } from "@/lib/crypto/tokens";

export type EmailTokenPurpose = EmailToken["purpose"];

/** How long each link works: NIST SP 800-63B 5.1.1 (out-of-band secrets are short-lived). */
export const EMAIL_TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 60 * 60_000,
  reset_password: 30 * 60_000,
  change_email: 24 * 60 * 60_000,
};

/** 32 random bytes, base64url: 43 characters. Anything else is refused before the database is asked. */
export const EMAIL_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Issues a single-use link token (256 bits from the CSPRNG) for one purpose and address; only its SHA-256 is
 * stored. A newer token of the same purpose voids the older ones, so only the last email sent works.
 */
export async function issueEmailToken(
  db: Db,
  input: { userId: string; purpose: EmailTokenPurpose; email: string },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + EMAIL_TOKEN_TTL_MS[input.purpose]);
  await voidEmailTokens(db, input.userId, input.purpose, now);
  await db.insert(emailTokens).values({ ...input, tokenHash: sha256(token), expiresAt, createdAt: now });
  return { token, expiresAt };
}

/** Voids every unused token of a purpose (a newer link was sent, or the password changed). */
export async function voidEmailTokens(db: Db, userId: string, purpose: EmailTokenPurpose, now = new Date()): Promise<void> {
  await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
}

export type EmailTokenProblem = "invalid" | "expired" | "used";
export type EmailTokenLookup = { ok: true; token: EmailToken } | { ok: false; problem: EmailTokenProblem };

/** Reads a token without spending it (to show the page it opens). A token of another purpose is "invalid". */
export async function findEmailToken(db: Db, purpose: EmailTokenPurpose, raw: unknown, now = new Date()): Promise<EmailTokenLookup> {
  if (typeof raw !== "string" || !EMAIL_TOKEN_PATTERN.test(raw)) return { ok: false, problem: "invalid" };
  const [row] = await db
    .select()
    .from(emailTokens)
    .where(and(eq(emailTokens.tokenHash, sha256(raw)), eq(emailTokens.purpose, purpose)));
  if (!row) return { ok: false, problem: "invalid" };
  if (row.usedAt) return { ok: false, problem: "used" };
  if (row.expiresAt <= now) return { ok: false, problem: "expired" };
  return { ok: true, token: row };
}

/**
 * Spends a token: one conditional UPDATE, so of two requests racing with the same link exactly one wins.
 * Call it inside the transaction of the change the link allows, so a failed change leaves the link usable.
 */
export async function consumeEmailToken(db: Db, purpose: EmailTokenPurpose, raw: unknown, now = new Date()): Promise<EmailTokenLookup> {
  if (typeof raw !== "string" || !EMAIL_TOKEN_PATTERN.test(raw)) return { ok: false, problem: "invalid" };
  const [row] = await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.tokenHash, sha256(raw)),
        eq(emailTokens.purpose, purpose),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, sql`${now.toISOString()}::timestamptz`),
      ),
    )
    .returning();
  if (row) return { ok: true, token: row };
  // Not spent: say why, without spending anything.
  const lookup = await findEmailToken(db, purpose, raw, now);
  return lookup.ok ? { ok: false, problem: "used" } : lookup;
}
