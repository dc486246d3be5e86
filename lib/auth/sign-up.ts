import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { LIMITS } from "@/lib/security/limits";
import { type Budget, ipBucket, takeBudgets } from "@/lib/security/rate-limit";
import { hashPassword, newPasswordProblem } from "./password";
import type { SignUpInput } from "./schemas";
import { createSession } from "./sessions";

export type SignUpResult =
  | { ok: true; userId: string; token: string }
  | { ok: false; error: "email_taken" }
  | { ok: false; error: "throttled"; retryAt: Date }
  | { ok: false; error: "password_unsafe"; message: string };

/**
 * Creates the organisation with the new user as its admin, and a signed-in session for them. Sign-ups are
 * budgeted per client IP and for the whole app per hour, taken first: accounts made by a script are
 * the way to spend text messages and flood the member list. The schema checked the password's rules; the
 * breach check (when on) waits on the network, so it runs here.
 */
export async function signUp(db: Db, input: SignUpInput, info: Partial<RequestInfo> = {}, now = new Date()): Promise<SignUpResult> {
  const budgets: Budget[] = [{ key: "signup:global", ...LIMITS.signUpGlobal() }];
  if (info.ip) budgets.push({ key: `signup:ip:${ipBucket(info.ip)}`, ...LIMITS.signUpPerIp() });
  const budget = await takeBudgets(db, budgets, now);
  if (!budget.ok) return { ok: false, error: "throttled", retryAt: budget.retryAt };
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email));
  if (taken) return { ok: false, error: "email_taken" };
  const problem = await newPasswordProblem(input.password);
  if (problem) return { ok: false, error: "password_unsafe", message: problem };
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [org] = await tx.insert(organisations).values({ name: input.organisation }).returning();
      const [user] = await tx.insert(users).values({ name: input.name, email: input.email, passwordHash }).returning();
      await tx.insert(memberships).values({ userId: user.id, organisationId: org.id, role: "admin" });
      const { token } = await createSession(tx, { userId: user.id, mfaState: "not_required", ...info });
      await recordEvent(tx, { action: "user.signed_up", userId: user.id, organisationId: org.id, ...info });
      return { ok: true as const, userId: user.id, token };
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides.
    if (String((error as { cause?: { code?: string } })?.cause?.code ?? (error as { code?: string }).code) === "23505")
      return { ok: false, error: "email_taken" };
    throw error;
  }
}
