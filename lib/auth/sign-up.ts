import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { sha256 } from "@/lib/crypto/tokens";
import { appLink } from "@/lib/email/links";
import { queueEmail } from "@/lib/email/outbox";
import { LIMITS } from "@/lib/security/limits";
import { type Budget, ipBucket, takeBudgets } from "@/lib/security/rate-limit";
import { rememberDevice } from "./devices";
import { queueVerificationEmail, verifyEmailBudget } from "./email-verification";
import { hashPassword, newPasswordProblem } from "./password";
import type { SignUpInput } from "./schemas";

/**
 * The same answer for a new address and one that has an account: "check your inbox". Nothing a caller sees
 * (result, cookies, the work done before answering) says which it was (OWASP ASVS 5.0 6.3.8, no account
 * enumeration). Only the address's owner learns, by email.
 */
export type SignUpResult =
  | { ok: true }
  | { ok: false; error: "throttled"; retryAt: Date }
  | { ok: false; error: "password_unsafe"; message: string };

/**
 * Creates the organisation with the new user as its admin, and emails a link that proves the address; the
 * user then signs in. Sign-ups are budgeted per client IP and for the whole app per hour, taken first:
 * accounts made by a script are the way to spend messages and flood the member list. The schema checked
 * the password's rules; the breach check (when on) waits on the network, so it runs here. The password is
 * hashed whether or not the address is taken, so both answers take as long.
 */
export async function signUp(
  db: Db,
  input: SignUpInput,
  info: Partial<RequestInfo> & { deviceId?: string | null } = {},
  now = new Date(),
): Promise<SignUpResult> {
  const budgets: Budget[] = [{ key: "signup:global", ...LIMITS.signUpGlobal() }];
  if (info.ip) budgets.push({ key: `signup:ip:${ipBucket(info.ip)}`, ...LIMITS.signUpPerIp() });
  const budget = await takeBudgets(db, budgets, now);
  if (!budget.ok) return { ok: false, error: "throttled", retryAt: budget.retryAt };
  const problem = await newPasswordProblem(input.password);
  if (problem) return { ok: false, error: "password_unsafe", message: problem };
  const passwordHash = await hashPassword(input.password);
  const { deviceId, ...request } = info;
  await db.transaction(async (tx) => {
    // The unique index decides between this and a racing sign-up, without an error that aborts the transaction.
    const [user] = await tx
      .insert(users)
      .values({ name: input.name, email: input.email, passwordHash, createdAt: now })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!user) return tellOwner(tx, input.email, now);
    const [org] = await tx.insert(organisations).values({ name: input.organisation }).returning();
    await tx.insert(memberships).values({ userId: user.id, organisationId: org.id, role: "admin" });
    // The sign-up's email counts against the user's verification budget, like a resend.
    await takeBudgets(tx, [verifyEmailBudget(user.id)], now);
    await queueVerificationEmail(tx, user, now);
    await recordEvent(tx, { action: "user.signed_up", userId: user.id, organisationId: org.id, ...request });
    // The browser the account was made in is not "a new browser" at its first sign-in.
    await rememberDevice(tx, { deviceId: deviceId ?? null, userId: user.id, userAgent: request.userAgent, now });
  });
  return { ok: true };
}

/**
 * Someone signed up with an address that has an account: its owner is told, with a way to sign in or reset
 * the password, at most a few times a day (a script repeating the sign-up cannot flood the inbox).
 */
async function tellOwner(db: Db, email: string, now: Date): Promise<void> {
  const [owner] = await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, email));
  if (!owner) return;
  const budget = await takeBudgets(db, [{ key: `signup:notice:${sha256(email)}`, ...LIMITS.signUpNoticePerAddress() }], now);
  if (!budget.ok) return;
  await queueEmail(db, {
    userId: owner.id,
    to: email,
    message: { template: "sign_up_attempt", name: owner.name, signInLink: appLink("/login"), resetLink: appLink("/forgot-password") },
  });
}
