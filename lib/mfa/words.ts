import { say } from "@/lib/i18n/context";
import { MFA_ERRORS, retryMessage } from "./errors";
import { FACTOR_ERRORS } from "./factors";

/** The sentence for an MFA error code (the core's or any factor's); an unknown code reads as a closed verification. */
export function mfaMessage(error: string): string {
  return Object.hasOwn(FACTOR_ERRORS, error) ? FACTOR_ERRORS[error] : MFA_ERRORS.challenge_missing;
}

/** "That code is not right. … 3 tries left." */
export const wrongCodeMessage = (reason: string, attemptsLeft: number) => say("words.triesLeft", { message: mfaMessage(reason), count: attemptsLeft });

/** The per-account backoff (NIST SP 800-63B 3.2.2) says when to come back. */
export const throttledMessage = (retryAt: Date, now?: Date) => say("words.throttled", { retry: retryMessage(retryAt, now) });

/** An SMS budget is spent. */
export const tooManySendsMessage = (retryAt: Date) => say("words.tooManySends", { retry: retryMessage(retryAt) });

/** A throttled password (re-entered or at sign-in) says when to try again. */
export const passwordThrottledMessage = (retryAt: Date, now?: Date) => say("words.passwordThrottled", { retry: retryMessage(retryAt, now) });
