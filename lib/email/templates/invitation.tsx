import { clean, formatDateTime } from "./format";
import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function Invitation({ app, organisation, inviter, role, link, expiresAt, locale, t }: PropsOf<"invitation">) {
  const org = clean(organisation);
  const who = clean(inviter);
  return (
    <EmailLayout
      app={app}
      preview={t("emails.invitation.preview", { who, org, app })}
      heading={t("emails.invitation.heading", { org, app })}
      reason={t("emails.invitation.reason", { who, org })}
    >
      <Paragraph>
        {t.rich(role === "admin" ? "emails.invitation.bodyAdmin" : "emails.invitation.bodyMember", { who, org, strong: (chunks) => <strong>{chunks}</strong> })}
      </Paragraph>
      <Action href={link}>{t("emails.invitation.action")}</Action>
      <Paragraph>{t("emails.invitation.expiry", { at: formatDateTime(expiresAt, locale) })}</Paragraph>
    </EmailLayout>
  );
}

export const invitation: TemplateDef<"invitation"> = {
  subject: ({ app, organisation, inviter, t }) => t("emails.invitation.subject", { who: clean(inviter, 40), org: clean(organisation, 60), app }),
  Email: Invitation,
};
