import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { MFA_ERRORS, retryMessage } from "@/lib/mfa/errors";
import { hashPassword, newPasswordProblem } from "./password";
import { voidRecoveryLinks } from "./password-reset";
import { revokeOtherSessions } from "./sessions";
import { forgetTrustedBrowsers } from "./trusted-browsers";
import { checkCurrentPassword } from "./reauth";

export type PasswordChangeResult =
  | { ok: true; otherSessionsEnded: number }
  | { ok: false; field: "currentPassword" | "newPassword"; message: string };

/** Needs the current password; the new one follows the sign-up rules. Every other session ends, and every emailed reset or change-of-address link. */
export async function changePassword(
  db: Db,
  actor: { userId: string; sessionId: string; organisationId: string | null },
  input: { currentPassword: string; newPassword: string; now?: Date; info?: Partial<RequestInfo> },
): Promise<PasswordChangeResult> {
  const problem = await newPasswordProblem(input.newPassword);
  if (problem) return { ok: false, field: "newPassword", message: problem };
  const now = input.now ?? new Date();
  // The same per-user backoff as the step-up: this form is another way to test guesses of the password.
  const current = await checkCurrentPassword(db, { ...actor, password: input.currentPassword, now, info: input.info });
  if (!current.ok)
    return {
      ok: false,
      field: "currentPassword",
      message: current.error === "password_throttled" ? `${MFA_ERRORS.password_throttled} ${retryMessage(current.retryAt, now)}` : MFA_ERRORS.password_wrong,
    };
  if (input.currentPassword === input.newPassword)
    return { ok: false, field: "newPassword", message: "Choose a password different from the current one." };
  const hash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash: hash, passwordChangedAt: now }).where(eq(users.id, actor.userId));
    // Reset links and a pending change of address predate the new password (ASVS 5.0 6.4.x): they stop working.
    await voidRecoveryLinks(tx, actor.userId, now);
    const ended = await revokeOtherSessions(tx, actor.userId, actor.sessionId, "password_changed", now);
    // Whoever knew the old password may have trusted a browser with it: no browser skips the code any more.
    await forgetTrustedBrowsers(tx, actor.userId);
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
