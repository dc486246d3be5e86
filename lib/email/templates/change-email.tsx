import { duration } from "./format";
import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function ChangeEmail({ app, name, link, hours }: PropsOf<"change_email">) {
  return (
    <EmailLayout app={app} preview={`Confirm this address to make it your ${app} sign-in address.`} heading="Confirm your new email address" reason={`You received this email because this address was entered as the new address of a ${app} account.`}>
      <Paragraph>Hi {name},</Paragraph>
      <Paragraph>You asked to change the email address of your account to this one. Confirm it to make the change; until then you keep signing in with your current address.</Paragraph>
      <Action href={link}>Confirm new address</Action>
      <Paragraph>The link works for {duration(hours, "hour")} and only once. If you did not ask for this, you can ignore this email: nothing changes without the link.</Paragraph>
    </EmailLayout>
  );
}

export const changeEmail: TemplateDef<"change_email"> = {
  subject: ({ app }) => `Confirm your new ${app} email address`,
  Email: ChangeEmail,
};
