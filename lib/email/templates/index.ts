import { render, toPlainText } from "@react-email/render";
import { createElement } from "react";
import type { EmailOutboxRow } from "@/db/schema";
import { decrypt } from "@/lib/crypto/encryption";
import { appName } from "../index";
import type { EmailMessage, EmailTemplate } from "../messages";
import { sealedPropsContext } from "../outbox";
import { changeEmail } from "./change-email";
import { emailCode } from "./email-code";
import { invitation } from "./invitation";
import { mfaReminder } from "./mfa-reminder";
import { passwordReset } from "./password-reset";
import { securityNotice } from "./security-notice";
import { signUpAttempt } from "./sign-up-attempt";
import type { PropsOf, TemplateDef } from "./types";
import { verifyEmail } from "./verify-email";
import { DEFAULT_LOCALE, isLocale, type Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import { withLocale } from "@/lib/i18n/context";

/** One template per message kind; the mapped type makes a new EmailMessage member a compile error until it has one. */
export const TEMPLATES: { [K in EmailTemplate]: TemplateDef<K> } = {
  verify_email: verifyEmail,
  sign_up_attempt: signUpAttempt,
  password_reset: passwordReset,
  invitation,
  change_email: changeEmail,
  mfa_reminder: mfaReminder,
  email_code: emailCode,
  security_notice: securityNotice,
};

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** A row names a template this build does not have (written by a newer or older version). */
export class UnknownTemplateError extends Error {
  name = "UnknownTemplateError";
}

/** Renders a message: the subject line, the HTML part and the plain-text part. Server only. */
export async function renderMessage(message: EmailMessage, app = appName(), locale: Locale = DEFAULT_LOCALE): Promise<RenderedEmail> {
  const { template, ...rest } = message;
  const def = TEMPLATES[template] as TemplateDef<EmailTemplate> | undefined;
  if (!def) throw new UnknownTemplateError(`no template named ${String(template).slice(0, 40)}`);
  const t = translator(locale);
  const props = { ...rest, app, locale, t } as PropsOf<EmailTemplate>;
  // Emails are rendered outside any request (lib/email/sender.ts): the language travels with the row.
  const element = createElement(def.Email, props);
  const html = await withLocale(locale, () => render(element));
  // The plain-text part from the same HTML: one React render per message, not two.
  const text = toPlainText(html, { selectors: [{ selector: "h1", options: { uppercase: false } }] });
  return { subject: def.subject(props), html, text };
}

/**
 * Renders an outbox row: its props, with the sealed ones (links and codes that carry a token) opened with the
 * application key and the row's id as associated data, so sealed props copied to another row do not open.
 */
export async function renderEmail(
  row: Pick<EmailOutboxRow, "id" | "template" | "props" | "sealedProps"> & { locale?: string | null },
  app = appName(),
): Promise<RenderedEmail> {
  const sealed = row.sealedProps ? (JSON.parse(decrypt(row.sealedProps, sealedPropsContext(row.id))) as Record<string, unknown>) : {};
  return renderMessage({ ...row.props, ...sealed, template: row.template } as EmailMessage, app, isLocale(row.locale) ? row.locale : DEFAULT_LOCALE);
}
