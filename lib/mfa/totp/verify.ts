import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { mfaFactors } from "@/db/schema";
import { normalizeCode } from "../codes";
import { matchTotpStep } from "./rfc6238";
import { decryptTotpSecret } from "./secret";
import { localizedWords } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

export const TOTP_ERRORS = localizedWords("errors.totp", ENGLISH.errors.totp);

export type TotpVerifyResult =
  | { ok: true; factorId: string; step: number }
  | { ok: false; error: "no_factor" | "code_empty" | "code_format" | "totp_code_wrong" | "totp_code_reused" };

/**
 * Checks a code from the user's active authenticator app (sign-in, step-up). RFC 6238 5.2: a step once
 * accepted, or any earlier one, is never accepted again. The check that matters is the conditional UPDATE
 * (last_used_step IS NULL OR last_used_step < step): of two requests with the same code, in parallel or
 * not, one moves the marker and the other matches no row. The secret is part of the condition too, so a
 * code of a secret replaced meanwhile is refused. Attempt caps belong to the caller's challenge.
 */
export async function verifyTotpForUser(db: Db, userId: string, code: unknown, now: Date = new Date()): Promise<TotpVerifyResult> {
  const normal = normalizeCode(code);
  if (!normal.ok) return { ok: false, error: normal.error };
  const [factor] = await db
    .select({ id: mfaFactors.id, secretCiphertext: mfaFactors.secretCiphertext, lastUsedStep: mfaFactors.lastUsedStep })
    .from(mfaFactors)
    .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, "totp")));
  if (!factor?.secretCiphertext) return { ok: false, error: "no_factor" };
  const step = matchTotpStep(decryptTotpSecret(userId, factor.secretCiphertext), normal.code, now);
  if (step === null) return { ok: false, error: "totp_code_wrong" };
  if (factor.lastUsedStep !== null && step <= factor.lastUsedStep) return { ok: false, error: "totp_code_reused" };
  const [accepted] = await db
    .update(mfaFactors)
    .set({ lastUsedStep: step, lastUsedAt: now })
    .where(
      and(
        eq(mfaFactors.id, factor.id),
        eq(mfaFactors.secretCiphertext, factor.secretCiphertext),
        or(isNull(mfaFactors.lastUsedStep), lt(mfaFactors.lastUsedStep, step)),
      ),
    )
    .returning({ id: mfaFactors.id });
  if (!accepted) return { ok: false, error: "totp_code_reused" };
  return { ok: true, factorId: factor.id, step };
}
