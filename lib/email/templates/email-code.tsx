import { Code, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function EmailCode({ app, name, code, minutes, t }: PropsOf<"email_code">) {
  return (
    <EmailLayout app={app} preview={t("emails.code.preview")} heading={t("emails.code.heading")} reason={t("emails.code.reason", { app })}>
      <Paragraph>{t("emails.hi", { name })}</Paragraph>
      <Paragraph>{t("emails.code.body")}</Paragraph>
      <Code code={code} />
      <Paragraph>{t("emails.code.expiry", { minutes, app })}</Paragraph>
      <Paragraph>{t("emails.code.notYou")}</Paragraph>
    </EmailLayout>
  );
}

export const emailCode: TemplateDef<"email_code"> = {
  // The code stays out of the subject: subjects show on lock screens and are kept with the outbox row.
  subject: ({ app, t }) => t("emails.code.subject", { app }),
  Email: EmailCode,
};
