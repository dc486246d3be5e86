import { say } from "@/lib/i18n/context";
import { and, eq } from "drizzle-orm";
import { mfaFactors } from "@/db/schema";
import { normalizeCode } from "../codes";
import type { Factor } from "../factor";
import { decryptTotpSecret } from "./secret";
import { matchTotpStep } from "./rfc6238";
import { TOTP_ERRORS, verifyTotpForUser } from "./verify";

/** Authenticator apps (RFC 6238). An enrolment challenge carries the new secret; afterwards the factor row does. */
export const totpFactor: Factor = {
  method: "totp",
  errors: TOTP_ERRORS,
  normalize: normalizeCode,
  async match({ db, userId, challenge, code, now }) {
    if (challenge.purpose === "enroll") {
      if (!challenge.secretCiphertext) return { ok: false, error: "totp_code_wrong" };
      const step = matchTotpStep(decryptTotpSecret(userId, challenge.secretCiphertext), code, now);
      return step === null ? { ok: false, error: "totp_code_wrong" } : { ok: true, step };
    }
    const result = await verifyTotpForUser(db, userId, code, now);
    return result.ok ? { ok: true, factorId: result.factorId, step: result.step } : { ok: false, error: result.error };
  },
  async remove(tx, userId) {
    const gone = await tx.delete(mfaFactors).where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "totp"))).returning({ id: mfaFactors.id });
    return gone.length > 0;
  },
  describe: (s) => (s.totp ? say("mfa.summary.totp") : null),
};
