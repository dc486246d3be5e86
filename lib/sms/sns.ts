import { type MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { describeError } from "@/lib/aws/describe-error";
import { maskPhoneNumber } from "./deliveries";
import type { SmsSender } from "./types";

/** Deadline for one publish, connection included. Env `SMS_TIMEOUT_MS`, default 5000. */
export const DEFAULT_SMS_TIMEOUT_MS = 5000;

function timeoutFromEnv(): number {
  const value = Number(process.env.SMS_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_SMS_TIMEOUT_MS;
}

/**
 * Sends through Amazon SNS. The client is configured only by the SDK's standard environment
 * (AWS_REGION, credentials, AWS_ENDPOINT_URL_SNS). Optional env: SMS_SENDER_ID, SMS_ORIGINATION_NUMBER.
 */
export function createSnsSender(options: { client?: SNSClient; timeoutMs?: number } = {}): SmsSender {
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
  const client =
    options.client ??
    new SNSClient({
      // One attempt: the user sees the failure and can ask for a new code, rather than waiting through retries.
      maxAttempts: 1,
      // Without throwOnRequestTimeout this SDK only logs a warning when requestTimeout passes.
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
    });

  return {
    provider: "sns",
    async send(message) {
      const attributes: Record<string, MessageAttributeValue> = {
        "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
      };
      if (process.env.SMS_SENDER_ID) {
        attributes["AWS.SNS.SMS.SenderID"] = { DataType: "String", StringValue: process.env.SMS_SENDER_ID };
      }
      if (process.env.SMS_ORIGINATION_NUMBER) {
        attributes["AWS.MM.SMS.OriginationNumber"] = { DataType: "String", StringValue: process.env.SMS_ORIGINATION_NUMBER };
      }
      const command = new PublishCommand({ PhoneNumber: message.to, Message: message.body, MessageAttributes: attributes });

      // The handler timeouts cover the HTTP exchange; this deadline also covers credential and endpoint
      // resolution and clients passed in without timeouts.
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = Object.assign(new Error("SMS deadline passed"), { name: "TimeoutError" });
          controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      try {
        const output = await Promise.race([client.send(command, { abortSignal: controller.signal }), deadline]);
        if (!output.MessageId) return fail("NoMessageId", message.to);
        return { ok: true, messageId: output.MessageId };
      } catch (error) {
        return fail(describeError(error), message.to);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function fail(error: string, to: string) {
  console.warn(`sms: SNS publish to ${maskPhoneNumber(to)} failed: ${error}`);
  return { ok: false as const, error };
}

export { describeError };
