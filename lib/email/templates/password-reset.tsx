import { duration } from "./format";
import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function PasswordReset({ app, name, link, minutes }: PropsOf<"password_reset">) {
  return (
    <EmailLayout app={app} preview={`A link to choose a new password for your ${app} account.`} heading="Reset your password" reason={`You received this email because a password reset was requested for your ${app} account.`}>
      <Paragraph>Hi {name},</Paragraph>
      <Paragraph>We received a request to reset the password of your account. Choose a new password with the button below.</Paragraph>
      <Action href={link}>Choose a new password</Action>
      <Paragraph>The link works for {duration(minutes, "minute")} and only once. If your account uses multi-factor authentication, you will confirm it is you with it before the new password is set.</Paragraph>
      <Paragraph>If you did not ask for this, you can ignore this email: your password stays as it is.</Paragraph>
    </EmailLayout>
  );
}

export const passwordReset: TemplateDef<"password_reset"> = {
  subject: ({ app }) => `Reset your ${app} password`,
  Email: PasswordReset,
};
