import type { ReactElement } from "react";
import type { Locale } from "@/lib/i18n/locales";
import type { translator } from "@/lib/i18n/messages";
import type { EmailMessage, EmailTemplate } from "../messages";

/** The recipient's language: next-intl's translator for messages/*.json `emails`. */
export type EmailT = ReturnType<typeof translator>;

/** A template's props: its message without the template name, plus the product name and the recipient's language. */
export type PropsOf<K extends EmailTemplate> = Omit<Extract<EmailMessage, { template: K }>, "template"> & { app: string; locale: Locale; t: EmailT };

/** One email: its subject line and its body. */
export interface TemplateDef<K extends EmailTemplate> {
  subject: (props: PropsOf<K>) => string;
  Email: (props: PropsOf<K>) => ReactElement;
}
