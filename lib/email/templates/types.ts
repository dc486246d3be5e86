import type { ReactElement } from "react";
import type { EmailMessage, EmailTemplate } from "../messages";

/** A template's props: its message without the template name, plus the product name. */
export type PropsOf<K extends EmailTemplate> = Omit<Extract<EmailMessage, { template: K }>, "template"> & { app: string };

/** One email: its subject line and its body. */
export interface TemplateDef<K extends EmailTemplate> {
  subject: (props: PropsOf<K>) => string;
  Email: (props: PropsOf<K>) => ReactElement;
}
