import { Action, EmailLayout, InlineLink, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function SignUpAttempt({ app, name, signInLink, resetLink, t }: PropsOf<"sign_up_attempt">) {
  return (
    <EmailLayout app={app} preview={t("emails.signUpAttempt.preview")} heading={t("emails.signUpAttempt.heading")} reason={t("emails.signUpAttempt.reason", { app })}>
      <Paragraph>{t("emails.hi", { name })}</Paragraph>
      <Paragraph>{t("emails.signUpAttempt.body", { app })}</Paragraph>
      <Paragraph>{t("emails.signUpAttempt.ifYou")}</Paragraph>
      <Action href={signInLink}>{t("emails.signUpAttempt.action")}</Action>
      <Paragraph>{t.rich("emails.signUpAttempt.forgot", { reset: (chunks) => <InlineLink href={resetLink}>{chunks}</InlineLink> })}</Paragraph>
    </EmailLayout>
  );
}

export const signUpAttempt: TemplateDef<"sign_up_attempt"> = {
  subject: ({ app, t }) => t("emails.signUpAttempt.subject", { app }),
  Email: SignUpAttempt,
};
