import { z } from "zod";
import { inLanguage } from "@/lib/i18n/context";
import { PASSWORD_MAX_BYTES, passwordProblem } from "./password";

/** An email address as a form or a command line gives it: trimmed, at most 254 characters, lower-cased. */
export const emailAddressSchema = z
  .string(inLanguage("validation.enterYourEmailAddress"))
  .trim()
  .min(1, inLanguage("validation.enterYourEmailAddress"))
  .max(254, inLanguage("validation.useAnEmailAddressOf"))
  .pipe(z.email(inLanguage("validation.enterAValidEmailAddress")))
  .transform((v) => v.toLowerCase());

/** A new password (sign-up, joining by invitation): the domain's rules (passwordProblem), blocklist included. */
const newPassword = z
  .string(inLanguage("validation.chooseAPassword"))
  .min(1, inLanguage("validation.chooseAPassword"))
  .max(1024, inLanguage("validation.useAtMostMaxBytes", { max: PASSWORD_MAX_BYTES }))
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const signUpSchema = z.object({
  name: z.string(inLanguage("validation.enterYourName")).trim().min(1, inLanguage("validation.enterYourName")).max(100, inLanguage("validation.useAtMost100Characters")),
  email: emailAddressSchema,
  password: newPassword,
  organisation: z
    .string(inLanguage("validation.enterYourOrganisationSName"))
    .trim()
    .min(1, inLanguage("validation.enterYourOrganisationSName"))
    .max(100, inLanguage("validation.useAtMost100Characters")),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/** Sign-in checks shape only; a password longer than bcrypt's limit simply fails like a wrong one. */
export const signInSchema = z.object({
  email: z.string().trim().min(1, inLanguage("validation.enterYourEmailAddress")).max(254, inLanguage("validation.enterAValidEmailAddress2")).transform((v) => v.toLowerCase()),
  password: z.string().min(1, inLanguage("validation.enterYourPassword")).max(1024, inLanguage("validation.thatPasswordIsNotRight")),
});

/** The current password, re-entered: checked, never validated (any length up to the sign-in limit). */
const currentPassword = z.string(inLanguage("validation.enterYourCurrentPassword")).min(1, inLanguage("validation.enterYourCurrentPassword")).max(1024, inLanguage("validation.thatPasswordIsNotRight"));

export const passwordConfirmSchema = z.object({ password: currentPassword });

export const passwordChangeSchema = z.object({
  currentPassword,
  // The new password's rules are the domain's (passwordProblem), so its message matches sign-up's.
  newPassword: z
    .string(inLanguage("validation.chooseANewPassword"))
    .min(1, inLanguage("validation.chooseANewPassword"))
    .max(1024, inLanguage("validation.useAtMostMaxBytes", { max: PASSWORD_MAX_BYTES })),
});

/** A session id from the sessions list. */
export const sessionIdSchema = z.object({ sessionId: z.uuid() });

/** "Forget" one trusted browser: a malformed id is answered like another user's (nothing changes). */
export const trustedBrowserIdSchema = z.object({ id: z.string().max(64) });

/** "Forgot password?": the address only. */
export const forgotPasswordSchema = z.object({ email: emailAddressSchema });

/** A new password from a reset link: its rules are the domain's (newPasswordProblem), as for a password change. */
export const resetPasswordSchema = z.object({
  password: z
    .string(inLanguage("validation.chooseANewPassword"))
    .min(1, inLanguage("validation.chooseANewPassword"))
    .max(1024, inLanguage("validation.useAtMostMaxBytes", { max: PASSWORD_MAX_BYTES })),
});

/** A new sign-in address, and the step-up that allows the change (none for a user without a factor). */
export const emailChangeSchema = z.object({
  email: emailAddressSchema,
  // A malformed id counts as none; the domain then asks for the step-up.
  stepUpChallengeId: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === "string" && /^[0-9a-f-]{36}$/i.test(v) ? v : null)),
});

/** Field errors as one message per field, for forms. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    out[key] ??= issue.message;
  }
  return out;
}
