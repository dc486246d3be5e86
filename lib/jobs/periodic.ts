import type { Db } from "@/db/connect";
import { deleteExpiredEvents } from "@/lib/audit/retention";
import { deleteExpiredPasskeyPrompts } from "@/lib/mfa/passkey/sign-in";
import { queueScheduledReminders } from "@/lib/org/mfa-reminders";

/**
 * Work that runs on a schedule rather than in a request: sending queued email that is due again, reminders,
 * deleting what is past its retention. A self-hosted server runs the list on a timer; on Vercel a cron route
 * protected by a secret runs it. Each job must be safe to run on several instances at once (claim rows with
 * FOR UPDATE SKIP LOCKED, or make the write idempotent) and to run late.
 */
export interface PeriodicJob {
  name: string;
  run: (db: Db, now: Date) => Promise<void>;
}

/**
 * Every periodic job, run in this order (lib/jobs/runner.ts). A new job is a new line here. Keep "email" last,
 * so that mail the jobs above queue goes out in the same run.
 */
export const PERIODIC_JOBS: PeriodicJob[] = [
  /** MFA reminders 7, 3 and 1 days before an organisation's deadline and on the day; one per member per day. */
  { name: "mfa-reminders", run: async (db, now) => void (await queueScheduledReminders(db, now)) },
  /** Passwordless passkey prompts nobody answered within their five minutes. */
  { name: "passkey-prompts", run: async (db, now) => void (await deleteExpiredPasskeyPrompts(db, now)) },
  /** Audit events past AUDIT_RETENTION_DAYS (default 365), deleted in batches. */
  { name: "audit-retention", run: async (db, now) => void (await deleteExpiredEvents(db, now)) },
  {
    // Sends what is due: first tries the after-response delivery missed, retries, claims of senders that died.
    name: "email",
    run: async (db, now) => {
      // Loaded on first run: the templates and the SES client are not needed before.
      const { sweepEmails } = await import("@/lib/email/sender");
      await sweepEmails(db, now);
    },
  },
];
