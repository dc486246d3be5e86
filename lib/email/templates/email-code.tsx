import { duration } from "./format";
import { Code, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function EmailCode({ app, name, code, minutes }: PropsOf<"email_code">) {
  return (
    <EmailLayout app={app} preview="Your one-time verification code." heading="Your verification code" reason={`You received this email because a code was requested for your ${app} account.`}>
      <Paragraph>Hi {name},</Paragraph>
      <Paragraph>Enter this code to confirm that this email address is yours:</Paragraph>
      <Code code={code} />
      <Paragraph>It works for {duration(minutes, "minute")} and only once. Never share it: {app} will never ask you for it by phone or email.</Paragraph>
      <Paragraph>If you did not ask for a code, someone may know your password. Change it, and ignore this email.</Paragraph>
    </EmailLayout>
  );
}

export const emailCode: TemplateDef<"email_code"> = {
  // The code stays out of the subject: subjects show on lock screens and are kept with the outbox row.
  subject: ({ app }) => `Your ${app} verification code`,
  Email: EmailCode,
};
