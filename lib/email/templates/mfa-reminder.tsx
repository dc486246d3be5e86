import { clean, formatDate } from "./format";
import { Action, EmailLayout, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function MfaReminder({ app, name, organisation, deadline, link, locale, t }: PropsOf<"mfa_reminder">) {
  const org = clean(organisation);
  const day = formatDate(deadline, locale);
  return (
    <EmailLayout
      app={app}
      preview={t("emails.mfaReminder.preview", { day })}
      heading={t("emails.mfaReminder.heading")}
      reason={t("emails.mfaReminder.reason", { org, app })}
    >
      <Paragraph>{t("emails.hi", { name })}</Paragraph>
      <Paragraph>{t.rich("emails.mfaReminder.body", { org, day, strong: (chunks) => <strong>{chunks}</strong> })}</Paragraph>
      <Action href={link}>{t("emails.mfaReminder.action")}</Action>
      <Paragraph>{t("emails.mfaReminder.howLong")}</Paragraph>
    </EmailLayout>
  );
}

export const mfaReminder: TemplateDef<"mfa_reminder"> = {
  subject: ({ organisation, deadline, locale, t }) => t("emails.mfaReminder.subject", { org: clean(organisation, 60), day: formatDate(deadline, locale) }),
  Email: MfaReminder,
};
