import { z } from "zod";
import { BACKUP_CODE_ERRORS, normalizeBackupCode } from "./backup-codes";
import { isChallengeId } from "./challenge";
import { normalizeCode } from "./codes";
import { MFA_ERRORS } from "./errors";

/** A challenge id from a form: anything but a UUID is answered like a closed challenge. */
const challengeId = z.uuid({ error: MFA_ERRORS.challenge_missing });

/** Six digits, pasted with spaces or dashes allowed; the same words as every other code field. */
export const sixDigitCode = z.unknown().optional().transform((value, ctx) => {
  const normal = normalizeCode(value);
  if (normal.ok) return normal.code;
  ctx.addIssue({ code: "custom", message: MFA_ERRORS[normal.error] });
  return z.NEVER;
});

/** A backup code in any case, with spaces and dashes anywhere, normalised before it is checked. */
export const backupCode = z.unknown().optional().transform((value, ctx) => {
  const normal = normalizeBackupCode(value);
  if (normal.ok) return normal.code;
  ctx.addIssue({ code: "custom", message: BACKUP_CODE_ERRORS[normal.error] });
  return z.NEVER;
});

/** Opening a step-up that sends nothing (the authenticator app, a backup code). */
export const startStepUpSchema = z.object({ method: z.enum(["totp", "backup"], { error: "Choose how to confirm it is you." }) });

/** Answering a step-up: the code is read by the rules of the chosen method. */
export const checkStepUpSchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("totp"), challengeId, code: sixDigitCode }),
  z.object({ method: z.literal("sms"), challengeId, code: sixDigitCode }),
  z.object({ method: z.literal("backup"), challengeId, code: backupCode }),
], { error: "Choose how to confirm it is you." });

/** A step-up id is needed only once the user has a factor (the domain decides); a malformed one counts as none. */
const stepUpChallengeId = z
  .unknown()
  .optional()
  .transform((v) => (isChallengeId(v) ? v : null));

export const beginTotpSchema = z.object({ stepUpChallengeId });
export const confirmTotpSchema = z.object({ challengeId, code: sixDigitCode });
export const removeMethodSchema = z.object({ kind: z.enum(["totp", "sms"], { error: "Choose a method to remove." }), stepUpChallengeId });
export const regenerateCodesSchema = z.object({ stepUpChallengeId });
