import { clean, formatDateTime } from "./format";
import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function Invitation({ app, organisation, inviter, role, link, expiresAt }: PropsOf<"invitation">) {
  const org = clean(organisation);
  const who = clean(inviter);
  return (
    <EmailLayout app={app} preview={`${who} invited you to join ${org} on ${app}.`} heading={`Join ${org} on ${app}`} reason={`You received this email because ${who} invited this address to ${org}.`}>
      <Paragraph>
        {who} invited you to join <strong>{org}</strong> as {role === "admin" ? "an admin" : "a member"}.
      </Paragraph>
      <Action href={link}>Accept invitation</Action>
      <Paragraph>The invitation expires on {formatDateTime(expiresAt)}. If you did not expect it, you can ignore this email.</Paragraph>
    </EmailLayout>
  );
}

export const invitation: TemplateDef<"invitation"> = {
  subject: ({ app, organisation, inviter }) => `${clean(inviter, 40)} invited you to join ${clean(organisation, 60)} on ${app}`,
  Email: Invitation,
};
