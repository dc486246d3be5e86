import type { Db } from "@/db/connect";
import { recordDelivery } from "./deliveries";
import { createOutboxSender } from "./outbox";
import { createSnsSender, describeError } from "./sns";
import type { SmsSender } from "./types";

export type { SmsMessage, SmsResult, SmsSender } from "./types";

/** "sns" only when SMS_PROVIDER=sns; otherwise the development outbox. */
export function smsProvider(): SmsSender["provider"] {
  return process.env.SMS_PROVIDER === "sns" ? "sns" : "outbox";
}

/**
 * Whether the /dev/outbox page exists: only while the outbox sender is active, and never in production.
 * ALLOW_DEV_OUTBOX=true is for the browser tests only (they run a production build and read codes from
 * the outbox); a production server refuses to start with it unless APP_URL is a loopback address
 * (lib/config/production.ts).
 */
export function isOutboxActive(): boolean {
  return smsProvider() === "outbox" && (process.env.NODE_ENV !== "production" || process.env.ALLOW_DEV_OUTBOX === "true");
}

// One SNS client per process, so connections are reused across requests.
let snsSender: SmsSender | undefined;

/** The configured sender. SNS deliveries are recorded (masked number, no body) in sms_messages. */
export function createSmsSender(db: Db): SmsSender {
  if (smsProvider() === "outbox") return createOutboxSender(db);
  snsSender ??= createSnsSender();
  const sns = snsSender;
  return {
    provider: "sns",
    async send(message) {
      const result = await sns.send(message);
      try {
        await recordDelivery(db, { provider: "sns", to: message.to, userId: message.userId, result });
      } catch (error) {
        // The SMS outcome stands even when its record cannot be written.
        console.error(`sms: could not record the delivery: ${describeError(error)}`);
      }
      return result;
    },
  };
}
