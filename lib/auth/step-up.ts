import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { sessions, users } from "@/db/schema";
import { verifyPassword } from "./password";

/** ASVS 7.5.1: sensitive changes need the password confirmed in this session within the last 10 minutes. */
export const STEP_UP_WINDOW_MS = 10 * 60_000;

export function hasFreshPassword(session: { reauthenticatedAt: Date | null }, now = new Date()): boolean {
  return session.reauthenticatedAt !== null && now.getTime() - session.reauthenticatedAt.getTime() < STEP_UP_WINDOW_MS;
}

/** Checks the current password again and, if right, stamps the session so the next steps may proceed. */
export async function confirmPassword(db: Db, input: { userId: string; sessionId: string; password: string; now?: Date }) {
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  if (!(await verifyPassword(input.password, user?.passwordHash))) return false;
  await db
    .update(sessions)
    .set({ reauthenticatedAt: input.now ?? new Date() })
    .where(eq(sessions.id, input.sessionId));
  return true;
}
