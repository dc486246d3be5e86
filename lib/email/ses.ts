import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { describeError } from "@/lib/aws/describe-error";
import { formatMailbox, headerText, MAX_SUBJECT, parseMailbox } from "./address";
import type { EmailResult, EmailSender } from "./types";

/** Deadline for one send, connection included. Env `EMAIL_TIMEOUT_MS`, default 5000. */
export const DEFAULT_EMAIL_TIMEOUT_MS = 5000;

export function emailTimeoutMs(): number {
  const value = Number(process.env.EMAIL_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_EMAIL_TIMEOUT_MS;
}

/**
 * Sends through Amazon SES (API v2, SendEmail with simple content: SES builds the MIME message and encodes the
 * UTF-8 subject and bodies). The client is configured only by the SDK's standard environment (AWS_REGION,
 * credentials, AWS_ENDPOINT_URL_SESV2). Headers are built here so that nothing a user typed can add one: names
 * and subjects are one line, cut, and encoded (lib/email/address.ts).
 */
export function createSesSender(options: { client?: SESv2Client; timeoutMs?: number } = {}): EmailSender {
  const timeoutMs = options.timeoutMs ?? emailTimeoutMs();
  const client =
    options.client ??
    new SESv2Client({
      // One attempt per send: the outbox retries with growing delays (lib/email/sender.ts), not the SDK.
      maxAttempts: 1,
      // Without throwOnRequestTimeout this SDK only logs a warning when requestTimeout passes.
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
    });

  return {
    provider: "ses",
    async send(email): Promise<EmailResult> {
      const sender = parseMailbox(email.from);
      const from = sender && formatMailbox(sender);
      if (!from) return { ok: false, error: "EmailFromInvalid" };
      const to = formatMailbox({ name: email.toName, address: email.to });
      if (!to) return { ok: false, error: "AddressNotSendable", permanent: true };
      const command = new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: headerText(email.subject, MAX_SUBJECT), Charset: "UTF-8" },
            Body: { Html: { Data: email.html, Charset: "UTF-8" }, Text: { Data: email.text, Charset: "UTF-8" } },
          },
        },
      });

      // The handler timeouts cover the HTTP exchange; this deadline also covers credential and endpoint
      // resolution and clients passed in without timeouts.
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = Object.assign(new Error("email deadline passed"), { name: "TimeoutError" });
          controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      try {
        const output = await Promise.race([client.send(command, { abortSignal: controller.signal }), deadline]);
        return output.MessageId ? { ok: true, messageId: output.MessageId } : { ok: false, error: "NoMessageId" };
      } catch (error) {
        return { ok: false, error: describeError(error) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
