import { localizedWords, say } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

/** Error codes the MFA domain returns; actions turn them into these sentences (messages/*.json `errors.mfa`, read in the request's language). */
export const MFA_ERRORS = localizedWords("errors.mfa", ENGLISH.errors.mfa);

export type MfaError = keyof typeof MFA_ERRORS;

/** "Try again in 3 minutes." — for every limit that says when to come back. */
export function retryMessage(retryAt: Date, now = new Date()): string {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  if (seconds < 90) return say("words.retrySeconds", { count: seconds });
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return say("words.retryMinutes", { count: minutes });
  return say("words.retryHours", { count: Math.ceil(minutes / 60) });
}
