import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function ChangeEmail({ app, name, link, hours, t }: PropsOf<"change_email">) {
  return (
    <EmailLayout app={app} preview={t("emails.changeEmail.preview", { app })} heading={t("emails.changeEmail.heading")} reason={t("emails.changeEmail.reason", { app })}>
      <Paragraph>{t("emails.hi", { name })}</Paragraph>
      <Paragraph>{t("emails.changeEmail.body")}</Paragraph>
      <Action href={link}>{t("emails.changeEmail.action")}</Action>
      <Paragraph>{t("emails.changeEmail.expiry", { hours })}</Paragraph>
    </EmailLayout>
  );
}

export const changeEmail: TemplateDef<"change_email"> = {
  subject: ({ app, t }) => t("emails.changeEmail.subject", { app }),
  Email: ChangeEmail,
};
