import { z } from "zod";
import { inLanguage } from "@/lib/i18n/context";
import { phoneErrorMessage } from "@/lib/phone/messages";
import { maskPhone, parsePhone, toCountryCode } from "@/lib/phone/parse";
import { BACKUP_CODE_ERRORS, normalizeBackupCode } from "./backup-codes/codes";
import { isChallengeId } from "./challenge";
import { normalizeCode } from "./codes";
import { MFA_ERRORS } from "./errors";

/** A challenge id from a form: anything but a UUID is answered like a closed challenge. */
const challengeId = z.uuid(inLanguage("errors.mfa.challenge_missing"));

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

/** A step-up id is needed only once the user has a factor (the domain decides); a malformed one counts as none. */
const stepUpChallengeId = z
  .unknown()
  .optional()
  .transform((v) => (isChallengeId(v) ? v : null));

/** The registration's phone step: a number valid for the chosen country (or with its own + prefix), as E.164. */
export const smsEnrollmentSchema = z
  .object({ phone: z.unknown(), phoneCountry: z.unknown(), stepUpChallengeId })
  .transform((value, ctx) => {
    const country = toCountryCode(value.phoneCountry);
    if (typeof value.phone !== "string" || !country) {
      ctx.addIssue({ code: "custom", path: ["phone"], message: phoneErrorMessage("invalid_chars") });
      return z.NEVER;
    }
    const parsed = parsePhone(value.phone, country);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", path: ["phone"], message: phoneErrorMessage(parsed.error, parsed.country ?? country) });
      return z.NEVER;
    }
    return { phone: parsed.e164, maskedPhone: maskPhone(parsed.e164), stepUpChallengeId: value.stepUpChallengeId };
  });

/** A code typed at enrolment (purpose enroll) or to prove the registered number before changing it (step_up). */
export const enrollmentCodeSchema = z.object({
  code: sixDigitCode,
  challengeId: z.string(inLanguage("errors.mfa.challenge_missing")).max(64, inLanguage("errors.mfa.challenge_missing")),
  purpose: z
    .unknown()
    .optional()
    .transform((v) => (v === "step_up" ? ("step_up" as const) : ("enroll" as const))),
});

export const resendCodeSchema = z.object({ challengeId: z.string(inLanguage("errors.mfa.challenge_missing")).max(64, inLanguage("errors.mfa.challenge_missing")) });

export const saveEnrollmentSchema = z.object({
  challengeId: z.string(inLanguage("errors.mfa.challenge_missing")).max(64, inLanguage("errors.mfa.challenge_missing")),
  stepUpChallengeId,
});

export const disableMfaSchema = z.object({
  stepUpChallengeId: z.string(inLanguage("errors.mfa.factor_required")).min(1, inLanguage("errors.mfa.factor_required")).max(64, inLanguage("errors.mfa.factor_required")),
});

/** Opening a step-up that sends nothing (a passkey, the authenticator app, a backup code). */
export const startStepUpSchema = z.object({ method: z.enum(["passkey", "totp", "backup"], inLanguage("validation.chooseHowToConfirmIt")) });

/** A browser's WebAuthn answer as JSON text; its shape is read by lib/mfa/passkey/ceremony.ts. */
const webauthnJson = z.string(inLanguage("validation.yourBrowserSPasskeyResponse")).min(2).max(16_000);

/** Answering a step-up: the code is read by the rules of the chosen method. */
export const checkStepUpSchema = z.discriminatedUnion(
  "method",
  [
    z.object({ method: z.literal("totp"), challengeId, code: sixDigitCode }),
    z.object({ method: z.literal("sms"), challengeId, code: sixDigitCode }),
    z.object({ method: z.literal("backup"), challengeId, code: backupCode }),
    z.object({ method: z.literal("passkey"), challengeId, code: webauthnJson }),
  ],
  inLanguage("validation.chooseHowToConfirmIt"),
);

export const beginTotpSchema = z.object({ stepUpChallengeId });
export const confirmTotpSchema = z.object({ challengeId, code: sixDigitCode });
export const removeMethodSchema = z.object({ kind: z.enum(["totp", "sms"], inLanguage("validation.chooseAMethodToRemove")), stepUpChallengeId });
export const regenerateCodesSchema = z.object({ stepUpChallengeId });

/** A fresh passkey prompt for an open challenge (a step-up's, or a pending sign-in's). */
export const passkeyPromptSchema = z.object({ challengeId });
export const beginPasskeySchema = z.object({ stepUpChallengeId });
export const finishPasskeySchema = z.object({ challengeId, response: webauthnJson, name: z.string().max(200).optional() });
export const renamePasskeySchema = z.object({ factorId: z.uuid(inLanguage("validation.thisPasskeyIsNoLonger")), name: z.string().max(200) });
export const removePasskeySchema = z.object({ factorId: z.uuid(inLanguage("validation.thisPasskeyIsNoLonger")), stepUpChallengeId });
