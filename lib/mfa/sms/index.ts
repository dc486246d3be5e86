import { say } from "@/lib/i18n/context";
import { and, eq } from "drizzle-orm";
import { mfaFactors } from "@/db/schema";
import { codeMatches, normalizeCode } from "../codes";
import { MFA_ERRORS } from "../errors";
import type { Factor } from "../factor";

/** Text messages: a code sent to the registered number, checked against the challenge's keyed hash. */
export const smsFactor: Factor = {
  method: "sms",
  errors: MFA_ERRORS,
  normalize: normalizeCode,
  async match({ challenge, code }) {
    // A challenge whose code was never texted holds the hash of a value nobody knows; refuse it outright.
    const ok = challenge.sendCount > 0 && codeMatches(challenge.id, challenge.userId, code, challenge.codeHash);
    return ok ? { ok: true, factorId: challenge.factorId } : { ok: false, error: "code_wrong" };
  },
  async remove(tx, userId) {
    const gone = await tx.delete(mfaFactors).where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "sms"))).returning({ id: mfaFactors.id });
    return gone.length > 0;
  },
  describe: (s) => (s.smsLast4 ? say("mfa.summary.sms", { last4: s.smsLast4 }) : null),
};
