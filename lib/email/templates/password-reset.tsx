import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function PasswordReset({ app, name, link, minutes, t }: PropsOf<"password_reset">) {
  return (
    <EmailLayout app={app} preview={t("emails.reset.preview", { app })} heading={t("emails.reset.heading")} reason={t("emails.reset.reason", { app })}>
      <Paragraph>{t("emails.hi", { name })}</Paragraph>
      <Paragraph>{t("emails.reset.body")}</Paragraph>
      <Action href={link}>{t("emails.reset.action")}</Action>
      <Paragraph>{t("emails.reset.expiry", { minutes })}</Paragraph>
      <Paragraph>{t("emails.reset.notYou")}</Paragraph>
    </EmailLayout>
  );
}

export const passwordReset: TemplateDef<"password_reset"> = {
  subject: ({ app, t }) => t("emails.reset.subject", { app }),
  Email: PasswordReset,
};
