import { z } from "zod";
import { PASSWORD_MAX_BYTES, passwordProblem } from "./password";

/** An email address as a form or a command line gives it: trimmed, at most 254 characters, lower-cased. */
export const emailAddressSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "Use an email address of at most 254 characters.")
  .pipe(z.email("Enter a valid email address, like name@company.com."))
  .transform((v) => v.toLowerCase());

/** A new password (sign-up, joining by invitation): the domain's rules (passwordProblem), blocklist included. */
const newPassword = z
  .string({ error: "Choose a password." })
  .min(1, "Choose a password.")
  .max(1024, `Use at most ${PASSWORD_MAX_BYTES} bytes (about 72 letters; fewer with accents or emoji).`)
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const signUpSchema = z.object({
  name: z.string({ error: "Enter your name." }).trim().min(1, "Enter your name.").max(100, "Use at most 100 characters."),
  email: emailAddressSchema,
  password: newPassword,
  organisation: z
    .string({ error: "Enter your organisation's name." })
    .trim()
    .min(1, "Enter your organisation's name.")
    .max(100, "Use at most 100 characters."),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/** Sign-in checks shape only; a password longer than bcrypt's limit simply fails like a wrong one. */
export const signInSchema = z.object({
  email: z.string().trim().min(1, "Enter your email address.").max(254, "Enter a valid email address.").transform((v) => v.toLowerCase()),
  password: z.string().min(1, "Enter your password.").max(1024, "That password is not right."),
});

/** The current password, re-entered: checked, never validated (any length up to the sign-in limit). */
const currentPassword = z.string({ error: "Enter your current password." }).min(1, "Enter your current password.").max(1024, "That password is not right.");

export const passwordConfirmSchema = z.object({ password: currentPassword });

export const passwordChangeSchema = z.object({
  currentPassword,
  // The new password's rules are the domain's (passwordProblem), so its message matches sign-up's.
  newPassword: z
    .string({ error: "Choose a new password." })
    .min(1, "Choose a new password.")
    .max(1024, `Use at most ${PASSWORD_MAX_BYTES} bytes (about 72 letters; fewer with accents or emoji).`),
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
    .string({ error: "Choose a new password." })
    .min(1, "Choose a new password.")
    .max(1024, `Use at most ${PASSWORD_MAX_BYTES} bytes (about 72 letters; fewer with accents or emoji).`),
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
