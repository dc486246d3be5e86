import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const organisations = pgTable("organisations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  mfaRequired: boolean("mfa_required").notNull().default(false),
  mfaRequiredAt: timestamp("mfa_required_at", { withTimezone: true }),
  /**
   * With mfa_required: the moment members without MFA start being held at setup (the end of the grace period).
   * Before it they see a reminder and keep working. Null means from the moment it was required.
   */
  mfaEnforcedFrom: timestamp("mfa_enforced_from", { withTimezone: true }),
  /**
   * "any" allows every factor; "totp_only" forbids SMS (authenticator apps and passkeys remain);
   * "passkey_only" allows only passkeys and security keys (phishing-resistant), backup codes as recovery.
   */
  mfaMethods: text("mfa_methods", { enum: ["any", "totp_only", "passkey_only"] }).notNull().default("any"),
  /**
   * How long members may skip the second factor on a browser they trusted: 0 (off), 1, 7 or 30 days. The
   * shorter of this and the user's own choice (30 days) applies, from the next sign-in (lib/auth/trusted-browsers.ts).
   */
  trustedBrowserDays: integer("trusted_browser_days").notNull().default(30),
  createdAt: createdAt(),
}, (t) => [check("organisations_trusted_browser_days_check", sql`${t.trustedBrowserDays} in (0, 1, 7, 30)`)]);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; the unique index makes sign-in case-insensitive. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    mfaEnabled: boolean("mfa_enabled").notNull().default(false),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    /** When the address was proven by a link sent to it (or by accepting an invitation sent to it); null until then. */
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    /**
     * Set by an admin's MFA reset: the next enrolment needs more than the password. "email": a code sent to the
     * account's address; "access_code": the temporary access code the admin was shown. Cleared by the enrolment
     * that spends the proof (lib/mfa/reenrol.ts).
     */
    mfaReenrolProof: text("mfa_reenrol_proof", { enum: ["email", "access_code"] }),
    /** The language chosen on My account ("en", "nl"); null follows the browser (lib/i18n/locales.ts). */
    locale: text("locale"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);

export const memberships = pgTable(
  "memberships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    organisationId: uuid("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["admin", "member"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("memberships_user_key").on(t.userId),
    index("memberships_org_idx").on(t.organisationId),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** SHA-256 of the random token carried in the (encrypted) cookie; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mfaState: text("mfa_state", { enum: ["pending", "verified", "not_required"] }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the password (and factor) was last proven in this session, for step-up checks. */
    authenticatedAt: timestamp("authenticated_at", { withTimezone: true }).notNull().defaultNow(),
    /** Last time the password was confirmed again inside this session (step-up before sensitive changes). */
    reauthenticatedAt: timestamp("reauthenticated_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: text("revoked_reason"),
    /** One-time ticket (hashed) that lets the verified successor of a pending session be claimed once. */
    handoffHash: text("handoff_hash"),
  },
  (t) => [
    uniqueIndex("sessions_token_hash_key").on(t.tokenHash),
    uniqueIndex("sessions_handoff_hash_key").on(t.handoffHash),
    index("sessions_user_idx").on(t.userId),
  ],
);

export const mfaFactors = pgTable(
  "mfa_factors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["passkey", "sms", "totp"] }).notNull(),
    /** E.164, SMS factors only. */
    phone: text("phone"),
    /** AES-256-GCM ciphertext, TOTP factors only. */
    secretCiphertext: text("secret_ciphertext"),
    /** Highest TOTP time step accepted; a step at or below it is never accepted again. */
    lastUsedStep: integer("last_used_step"),
    /** Passkeys only: the WebAuthn credential id (base64url), unique across all users. */
    credentialId: text("credential_id"),
    /** Passkeys only: the COSE public key (base64url). Public, so stored as is. */
    publicKey: text("public_key"),
    /** Passkeys only: the authenticator's signature counter; one that goes backwards is refused (a cloned key). */
    signCount: bigint("sign_count", { mode: "number" }),
    /** Passkeys only: transports the browser reported (usb, nfc, ble, internal, hybrid), comma-separated. */
    transports: text("transports"),
    /** Passkeys only: the authenticator model's AAGUID, and the name the user gave the key. */
    aaguid: text("aaguid"),
    name: text("name"),
    verifiedAt: timestamp("verified_at", { withTimezone: true }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    // One text-message number and one authenticator app per user; passkeys may be several.
    uniqueIndex("mfa_factors_user_kind_key").on(t.userId, t.kind).where(sql`${t.kind} <> 'passkey'`),
    // Every lookup of a user's factors (the session lookup's "has a passkey", listMethods, lockFactors) uses this one:
    // the unique index above is partial, so it cannot answer for passkeys.
    index("mfa_factors_user_idx").on(t.userId, t.kind),
    uniqueIndex("mfa_factors_credential_id_key").on(t.credentialId),
  ],
);

export const otpChallenges = pgTable(
  "otp_challenges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The session that started the challenge; a challenge is only usable from it. */
    sessionId: uuid("session_id").references(() => sessions.id, { onDelete: "cascade" }),
    /**
     * reenrol: the email proof after an admin's reset (a code sent by email), or the mark that a temporary access
     * code was redeemed in this session; access_code: the admin's temporary access code itself (no session, 24 h).
     * reset: a password reset's second-factor check.
     */
    purpose: text("purpose", { enum: ["enroll", "login", "step_up", "reset", "reenrol", "access_code"] }).notNull(),
    /**
     * A password reset's challenge (purpose "reset") has no session: it belongs to the emailed link's token row
     * instead, and is only usable with that link.
     */
    emailTokenId: uuid("email_token_id").references(() => emailTokens.id, { onDelete: "cascade" }),
    factorId: uuid("factor_id").references(() => mfaFactors.id, { onDelete: "cascade" }),
    /** E.164 destination for enrolment challenges (the number is not a factor until verified). */
    phone: text("phone"),
    /** HMAC-SHA-256 of the code under a server secret. */
    codeHash: text("code_hash").notNull(),
    /**
     * A WebAuthn ceremony answered against this challenge (a passkey sign-in, step-up or registration): the
     * random 32-byte challenge (base64url) given to the browser, and when. Single use: cleared by the first
     * response checked against it; valid for PASSKEY_CHALLENGE_TTL_MS.
     */
    webauthnChallenge: text("webauthn_challenge"),
    webauthnIssuedAt: timestamp("webauthn_issued_at", { withTimezone: true }),
    /** Authenticator-app enrolment only: the pending TOTP secret (AES-256-GCM). It is not a factor until a valid code moves it to mfa_factors. */
    secretCiphertext: text("secret_ciphertext"),
    attempts: integer("attempts").notNull().default(0),
    sendCount: integer("send_count").notNull().default(1),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    consumedAt: timestamp("consumed_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("otp_challenges_user_idx").on(t.userId),
    index("otp_challenges_session_idx").on(t.sessionId),
    index("otp_challenges_email_token_idx").on(t.emailTokenId),
  ],
);

/** Recovery codes: 10 per user, only their hashes are stored; a used code keeps its row (used_at) until the set is regenerated. */
export const backupCodes = pgTable(
  "backup_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 of the user id and the normalised code (codes carry 120 random bits, see lib/mfa/backup-codes.ts). */
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("backup_codes_user_hash_key").on(t.userId, t.codeHash)],
);

export const smsMessages = pgTable(
  "sms_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    provider: text("provider", { enum: ["sns", "outbox"] }).notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    /** Last four digits only for real deliveries; the dev outbox keeps the full number to show it. */
    toMasked: text("to_masked").notNull(),
    to: text("to"),
    /** Only the dev outbox stores the body (it holds the code); provider deliveries never do. */
    body: text("body"),
    status: text("status", { enum: ["sent", "failed"] }).notNull(),
    providerMessageId: text("provider_message_id"),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [index("sms_messages_created_idx").on(t.createdAt)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    organisationId: uuid("organisation_id").references(() => organisations.id, { onDelete: "cascade" }),
    action: text("action").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    detail: jsonb("detail").$type<Record<string, string | number | boolean | null | string[]>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_events_user_idx").on(t.userId, t.createdAt),
    // The security log reads an organisation's events newest first by (created_at, id): keyset pagination.
    index("audit_events_org_created_idx").on(t.organisationId, t.createdAt, t.id),
    // Retention deletes the oldest events across all organisations.
    index("audit_events_created_idx").on(t.createdAt),
  ],
);

/**
 * One row per member and UTC day on which they were reminded to set up MFA (scheduled or by an admin): the
 * primary key makes "at most one reminder a day" hold across app instances (INSERT ... ON CONFLICT DO NOTHING).
 */
export const mfaReminders = pgTable(
  "mfa_reminders",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    organisationId: uuid("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["scheduled", "admin"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] }), index("mfa_reminders_day_idx").on(t.day)],
);

export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organisationId: uuid("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role", { enum: ["admin", "member"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("invitations_token_hash_key").on(t.tokenHash), index("invitations_org_idx").on(t.organisationId)],
);

/**
 * Browsers that completed a sign-in as a user: the device id cookie's SHA-256 (never the id itself) and the
 * user. A known browser keeps its own budget of wrong passwords, so failures elsewhere cannot lock the
 * owner out of it.
 */
export const knownDevices = pgTable(
  "known_devices",
  {
    tokenHash: text("token_hash").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    lastSignedInAt: timestamp("last_signed_in_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tokenHash, t.userId] }), index("known_devices_user_idx").on(t.userId)],
);

/**
 * Passwordless passkey sign-ins under way: the WebAuthn challenge handed to a signed-out browser, bound to
 * that browser's device id (hashed). Nobody is known yet, so there is no user or session to hold it. Deleted
 * by the first response checked against it (single use), or swept once expired.
 */
export const passkeySignIns = pgTable(
  "passkey_sign_ins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** base64url of 32 random bytes; it is public (the browser signs it), so stored as is. */
    challenge: text("challenge").notNull(),
    deviceHash: text("device_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("passkey_sign_ins_expires_idx").on(t.expiresAt)],
);

/**
 * Browsers a user asked not to be asked for a second factor on ("Don't ask again on this browser"), until
 * `expires_at` (cut shorter by the organisation's `trusted_browser_days`). Only the device id's hash is stored
 * (deviceHash, lib/auth/devices.ts); one row per (browser, user). Rules: lib/auth/trusted-browsers.ts.
 */
export const trustedBrowsers = pgTable(
  "trusted_browsers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    deviceHash: text("device_hash").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The User-Agent it was trusted from, cut to 300 characters, to recognise it in My account. */
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("trusted_browsers_device_user_key").on(t.deviceHash, t.userId), index("trusted_browsers_user_idx").on(t.userId)],
);

/**
 * Single-use links sent by email. Only the SHA-256 of the 256-bit token is stored. `email` is the address the
 * link was sent to (for a change of address, the new one). A token works for its own purpose only.
 */
export const emailTokens = pgTable(
  "email_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["verify_email", "reset_password", "change_email"] }).notNull(),
    email: text("email").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("email_tokens_token_hash_key").on(t.tokenHash), index("email_tokens_user_idx").on(t.userId, t.purpose)],
);

/**
 * Emails waiting to be sent, written in the transaction of the change that causes them. `props` holds what a
 * template shows; `sealed_props` holds what must not rest in the database readable (links carrying a token),
 * AES-256-GCM under the application key and bound to the row id, and is erased once the message is sent.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    toAddress: text("to_address").notNull(),
    template: text("template").notNull(),
    props: jsonb("props").$type<Record<string, unknown>>().notNull(),
    sealedProps: text("sealed_props"),
    /** The recipient's language when it was queued (their saved choice, else the request's); rendered in it. */
    locale: text("locale"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** A sender's claim on the row; a claim past this time is abandoned (the sender died) and may be taken again. */
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    lastError: text("last_error"),
    /** Which sender took it ("ses" or "outbox"), set once it is sent. */
    provider: text("provider", { enum: ["ses", "outbox"] }),
    providerMessageId: text("provider_message_id"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** The rendered subject, once rendered; subjects never carry a token or a code. */
    subject: text("subject"),
    /** The rendered parts, kept only by the development outbox (/dev/outbox); null for a provider. */
    bodyHtml: text("body_html"),
    bodyText: text("body_text"),
    createdAt: createdAt(),
  },
  (t) => [index("email_outbox_due_idx").on(t.status, t.nextAttemptAt), index("email_outbox_created_idx").on(t.createdAt)],
);

/** Fixed-window counters shared by every app instance; one row per (key, window start). */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  count: integer("count").notNull().default(0),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull().default(sql`now()`),
  blockedUntil: timestamp("blocked_until", { withTimezone: true }),
  strikes: integer("strikes").notNull().default(0),
});

export type User = typeof users.$inferSelect;
export type Organisation = typeof organisations.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type MfaFactor = typeof mfaFactors.$inferSelect;
export type OtpChallenge = typeof otpChallenges.$inferSelect;
export type BackupCode = typeof backupCodes.$inferSelect;
export type EmailToken = typeof emailTokens.$inferSelect;
export type EmailOutboxRow = typeof emailOutbox.$inferSelect;
export type TrustedBrowser = typeof trustedBrowsers.$inferSelect;
