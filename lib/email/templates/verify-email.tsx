import { duration } from "./format";
import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function VerifyEmail({ app, name, link, hours }: PropsOf<"verify_email">) {
  return (
    <EmailLayout app={app} preview={`Confirm your email address to finish setting up your ${app} account.`} heading="Confirm your email address" reason={`You received this email because this address was used to create a ${app} account.`}>
      <Paragraph>Hi {name},</Paragraph>
      <Paragraph>Thanks for signing up. Confirm that this is your email address to finish setting up your account.</Paragraph>
      <Action href={link}>Confirm email address</Action>
      <Paragraph>The link works for {duration(hours, "hour")} and only once. If you did not create an account, you can ignore this email: nothing happens without the link.</Paragraph>
    </EmailLayout>
  );
}

export const verifyEmail: TemplateDef<"verify_email"> = {
  subject: ({ app }) => `Confirm your email address for ${app}`,
  Email: VerifyEmail,
};
