import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function VerifyEmail({ app, name, link, hours, t }: PropsOf<"verify_email">) {
  return (
    <EmailLayout app={app} preview={t("emails.verify.preview", { app })} heading={t("emails.verify.heading")} reason={t("emails.verify.reason", { app })}>
      <Paragraph>{t("emails.hi", { name })}</Paragraph>
      <Paragraph>{t("emails.verify.body")}</Paragraph>
      <Action href={link}>{t("emails.verify.action")}</Action>
      <Paragraph>{t("emails.verify.expiry", { hours })}</Paragraph>
    </EmailLayout>
  );
}

export const verifyEmail: TemplateDef<"verify_email"> = {
  subject: ({ app, t }) => t("emails.verify.subject", { app }),
  Email: VerifyEmail,
};
