import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { otpChallenges, sessions } from "@/db/schema";
import { openChallenge } from "@/lib/mfa/challenge";

/**
 * A session as the step-up dialog leaves it at `at` (default now): the password confirmed
 * (reauthenticated_at) and a `step_up` challenge of this session verified. Returns the challenge's id.
 */
export async function grantStepUp(db: Db, session: { userId: string; sessionId: string }, at = new Date()): Promise<string> {
  await db.update(sessions).set({ reauthenticatedAt: at }).where(eq(sessions.id, session.sessionId));
  const challenge = await openChallenge(db, { userId: session.userId, sessionId: session.sessionId, purpose: "step_up", now: at });
  await db.update(otpChallenges).set({ verifiedAt: at }).where(eq(otpChallenges.id, challenge.id));
  return challenge.id;
}
