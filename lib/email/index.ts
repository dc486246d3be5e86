import { DEFAULT_APP_NAME } from "@/lib/sms/message";
import { createDevOutboxSender } from "./dev-outbox";
import { createSesSender } from "./ses";
import type { EmailSender } from "./types";

export type { EmailResult, EmailSender, OutgoingEmail } from "./types";

/** "ses" only when EMAIL_PROVIDER=ses; otherwise the development outbox. */
export function emailProvider(): EmailSender["provider"] {
  return process.env.EMAIL_PROVIDER === "ses" ? "ses" : "outbox";
}

/**
 * Whether /dev/outbox shows emails: only while the outbox sender is active, and never in production.
 * ALLOW_DEV_OUTBOX=true is for the browser tests only (they run a production build and read links from the
 * outbox); a production server refuses to start with it unless APP_URL is a loopback address
 * (lib/config/production.ts). The same rule as for text messages (lib/sms/index.ts).
 */
export function isEmailOutboxActive(): boolean {
  return emailProvider() === "outbox" && (process.env.NODE_ENV !== "production" || process.env.ALLOW_DEV_OUTBOX === "true");
}

/** Product name in subjects and emails. Env `APP_NAME`, default "Feedback Accounts". */
export function appName(): string {
  return (process.env.APP_NAME ?? DEFAULT_APP_NAME).replace(/\s+/g, " ").trim() || DEFAULT_APP_NAME;
}

/**
 * The From header: env `EMAIL_FROM` (e.g. `Feedback Accounts <no-reply@example.com>`), required with SES
 * (production refuses to start without it). The development outbox shows a made-up sender when it is unset.
 */
export function emailFrom(): string {
  return process.env.EMAIL_FROM?.trim() || `${appName()} <no-reply@localhost>`;
}

// One SES client per process, so connections are reused across sends.
let sesSender: EmailSender | undefined;

/** The configured sender. */
export function createEmailSender(): EmailSender {
  if (emailProvider() === "outbox") return createDevOutboxSender();
  sesSender ??= createSesSender();
  return sesSender;
}
