/** What every SMS sender takes and returns. Senders never log the message body or the full number. */
export interface SmsMessage {
  /** E.164, e.g. +31612345678 */
  to: string;
  body: string;
  /** For the delivery record; never sent to the provider. */
  userId?: string | null;
}

export type SmsResult = { ok: true; messageId: string } | { ok: false; error: string };

export interface SmsSender {
  readonly provider: "sns" | "outbox";
  send(message: SmsMessage): Promise<SmsResult>;
}
