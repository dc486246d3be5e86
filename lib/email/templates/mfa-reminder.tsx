import { clean, formatDate } from "./format";
import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function MfaReminder({ app, name, organisation, deadline, link }: PropsOf<"mfa_reminder">) {
  const org = clean(organisation);
  return (
    <EmailLayout app={app} preview={`Set up a second sign-in step before ${formatDate(deadline)}.`} heading="Set up multi-factor authentication" reason={`You received this email because you are a member of ${org} on ${app}.`}>
      <Paragraph>Hi {name},</Paragraph>
      <Paragraph>
        <strong>{org}</strong> requires multi-factor authentication from {formatDate(deadline)}. Your account does not have a second sign-in step yet: set one up before then, and signing in keeps working without interruption.
      </Paragraph>
      <Action href={link}>Set up multi-factor authentication</Action>
      <Paragraph>It takes a minute: an authenticator app (recommended) or a text message to your phone.</Paragraph>
    </EmailLayout>
  );
}

export const mfaReminder: TemplateDef<"mfa_reminder"> = {
  subject: ({ organisation, deadline }) => `${clean(organisation, 60)} requires multi-factor authentication from ${formatDate(deadline)}`,
  Email: MfaReminder,
};
