import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { hashPassword, passwordProblem, verifyPassword } from "./password";
import { revokeOtherSessions } from "./sessions";

export type PasswordChangeResult =
  | { ok: true; otherSessionsEnded: number }
  | { ok: false; field: "currentPassword" | "newPassword"; message: string };

/** Needs the current password; the new one follows the sign-up rules. Every other session ends. */
export async function changePassword(
  db: Db,
  actor: { userId: string; sessionId: string; organisationId: string | null },
  input: { currentPassword: string; newPassword: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<PasswordChangeResult> {
  const problem = passwordProblem(input.newPassword);
  if (problem) return { ok: false, field: "newPassword", message: problem };
  const [user] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, actor.userId));
  if (!(await verifyPassword(input.currentPassword, user?.hash)))
    return { ok: false, field: "currentPassword", message: "That password is not right." };
  if (input.currentPassword === input.newPassword)
    return { ok: false, field: "newPassword", message: "Choose a password different from the current one." };
  const now = input.now ?? new Date();
  const hash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash: hash, passwordChangedAt: now }).where(eq(users.id, actor.userId));
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, "password_changed", now);
    await recordEvent(tx, {
      action: "password.changed",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { otherSessionsEnded: ended },
      ...input.info,
    });
    return { ok: true as const, otherSessionsEnded: ended };
  });
}
