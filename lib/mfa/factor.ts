import type { SQL } from "drizzle-orm";
import type { Db } from "@/db/connect";
import type { OtpChallenge } from "@/db/schema";
import type { RequestInfo } from "@/lib/audit/events";
import type { LoginMethod } from "./method";

/** What may be said about a user's methods outside the server: never a secret, a whole number or a code. */
export interface MethodSummary {
  totp: boolean;
  /** How many passkeys and security keys. */
  passkeys: number;
  smsLast4: string | null;
  backupCodesLeft: number;
}

export type NormalizedCode = { ok: true; code: string } | { ok: false; error: string };

export interface MatchInput {
  db: Db;
  userId: string;
  organisationId: string | null;
  challenge: OtpChallenge;
  /** Already normalised by this factor. */
  code: string;
  now: Date;
  info: Partial<RequestInfo>;
}

export type MatchResult =
  /**
   * factorId: the registered factor to stamp as used; backupCodesLeft after spending one. spend: a conditional
   * write that uses up what this match relied on (a passkey's signature counter), left to the caller so that
   * it can be part of the caller's own write; it returns a row only when it took effect. Without it, the
   * match has spent what it needed already.
   */
  | { ok: true; factorId?: string | null; step?: number; backupCodesLeft?: number; spend?: SQL }
  /** error: this factor's own word for the refusal (e.g. a reused authenticator code). */
  | { ok: false; error: string };

/**
 * One second factor. Each folder under lib/mfa exports one of these, and lib/mfa/factors.ts lists them;
 * the code check, step-up, sign-in and removal work through this interface only. Enrolment differs
 * too much between factors to share a signature: each folder's enrollment.ts holds it, built on the
 * shared challenge and enrolment core.
 */
export interface Factor {
  method: LoginMethod;
  /** Error sentences this factor's refusals use, keyed like its errors. */
  errors: Readonly<Record<string, string>>;
  /** Reads what the user typed or pasted; refusals cost no attempt. */
  normalize(input: unknown): NormalizedCode;
  /** Whether the code proves this factor for the challenge. Single-use factors spend it here (atomically). */
  match(input: MatchInput): Promise<MatchResult>;
  /**
   * Deletes what the user holds of this factor, inside the caller's transaction; returns whether anything usable
   * went. `factorId` names one registered key of a factor a user may hold several of (passkeys); without it, all.
   */
  remove(tx: Db, userId: string, factorId?: string): Promise<boolean>;
  /** A short description for My account and the admin's member list, or null when the user does not have it. */
  describe(summary: MethodSummary): string | null;
}
