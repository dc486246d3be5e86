/** A rendered email, ready for a provider. Senders never log the address, the subject or the body. */
export interface OutgoingEmail {
  /** The outbox row's id (lib/email/outbox.ts). */
  id: string;
  /** The sender, as EMAIL_FROM writes it: `Name <address>` or an address. */
  from: string;
  to: string;
  /** The recipient's name for the To header, if known. */
  toName?: string | null;
  subject: string;
  html: string;
  text: string;
}

/**
 * What a provider answered. `permanent` marks a message that can never be sent as it is (an address SES cannot
 * take): it is not tried again.
 */
export type EmailResult = { ok: true; messageId: string } | { ok: false; error: string; permanent?: boolean };

export interface EmailSender {
  readonly provider: "ses" | "outbox";
  send(email: OutgoingEmail): Promise<EmailResult>;
}
