import type { NoticeKind } from "../messages";
import { clean, formatDate, formatDateTime } from "./format";
import { Action, EmailLayout, Facts, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

type Props = PropsOf<"security_notice">;

interface NoticeWords {
  /** The subject and the heading. */
  title: (props: Props) => string;
  /** What happened, in one or two sentences. */
  happened: (props: Props) => string;
  /**
   * An admin of the organisation made the change, not the account's owner. Such a notice does not show the
   * browser and IP address it came from (a member is not told their admin's address) and does not suggest the
   * password was stolen.
   */
  byAdmin?: true;
}

/** The factor in the recipient's language: the name the user gave it, else its method's name (messages `emails.notice.factors`). */
function factor(p: Props): string {
  const named = clean(p.detail?.factor);
  if (named) return named;
  const last4 = clean(p.detail?.phoneLast4);
  switch (p.detail?.method) {
    case "sms":
      return last4 ? p.t("emails.notice.factors.sms", { last4 }) : p.t("emails.notice.factors.smsNoNumber");
    case "totp":
    case "backup":
    case "passkey":
      return p.t(`emails.notice.factors.${p.detail.method}`);
    default:
      return p.t("emails.notice.aFactor");
  }
}
const organisation = (p: Props) => clean(p.detail?.organisation) || p.t("emails.notice.yourOrganisation");

/** Every notice kind's words (messages `emails.notice.kinds.<kind>`). The Record type makes a new NoticeKind a compile error until it has them. */
export const NOTICES: Record<NoticeKind, NoticeWords> = {
  new_browser_sign_in: {
    title: ({ app, t }) => t("emails.notice.kinds.new_browser_sign_in.title", { app }),
    happened: ({ t }) => t("emails.notice.kinds.new_browser_sign_in.happened"),
  },
  password_changed: {
    title: ({ t }) => t("emails.notice.kinds.password_changed.title"),
    happened: ({ t }) => t("emails.notice.kinds.password_changed.happened"),
  },
  password_reset: {
    title: ({ t }) => t("emails.notice.kinds.password_reset.title"),
    happened: ({ t }) => t("emails.notice.kinds.password_reset.happened"),
  },
  mfa_enabled: {
    title: ({ t }) => t("emails.notice.kinds.mfa_enabled.title"),
    happened: ({ t }) => t("emails.notice.kinds.mfa_enabled.happened"),
  },
  mfa_disabled: {
    title: ({ t }) => t("emails.notice.kinds.mfa_disabled.title"),
    happened: ({ t }) => t("emails.notice.kinds.mfa_disabled.happened"),
  },
  factor_added: {
    title: ({ t }) => t("emails.notice.kinds.factor_added.title"),
    happened: (p) => p.t("emails.notice.kinds.factor_added.happened", { factor: factor(p) }),
  },
  factor_removed: {
    title: ({ t }) => t("emails.notice.kinds.factor_removed.title"),
    happened: (p) => p.t("emails.notice.kinds.factor_removed.happened", { factor: factor(p) }),
  },
  backup_codes_regenerated: {
    title: ({ t }) => t("emails.notice.kinds.backup_codes_regenerated.title"),
    happened: ({ t }) => t("emails.notice.kinds.backup_codes_regenerated.happened"),
  },
  backup_code_used: {
    title: ({ t }) => t("emails.notice.kinds.backup_code_used.title"),
    happened: ({ t, detail }) => {
      const left = detail?.remaining;
      const used = t("emails.notice.kinds.backup_code_used.happened");
      return left === undefined ? used : `${used} ${t("emails.notice.kinds.backup_code_used.left", { count: left })}`;
    },
  },
  mfa_reset_by_admin: {
    title: ({ t }) => t("emails.notice.kinds.mfa_reset_by_admin.title"),
    happened: (p) => p.t("emails.notice.kinds.mfa_reset_by_admin.happened", { admin: clean(p.detail?.admin) || p.t("emails.notice.anAdmin"), organisation: organisation(p) }),
    byAdmin: true,
  },
  org_requires_mfa: {
    title: (p) => p.t("emails.notice.kinds.org_requires_mfa.title", { organisation: clean(p.detail?.organisation, 60) || p.t("emails.notice.yourOrganisationTitle") }),
    happened: (p) =>
      p.detail?.from
        ? p.t("emails.notice.kinds.org_requires_mfa.happenedFrom", { organisation: organisation(p), day: formatDate(p.detail.from, p.locale) })
        : p.t("emails.notice.kinds.org_requires_mfa.happened", { organisation: organisation(p) }),
    byAdmin: true,
  },
  email_changed: {
    title: ({ t }) => t("emails.notice.kinds.email_changed.title"),
    happened: (p) => {
      const address = clean(p.detail?.newAddress, 254);
      return address ? p.t("emails.notice.kinds.email_changed.happenedTo", { address }) : p.t("emails.notice.kinds.email_changed.happened");
    },
  },
};

function SecurityNotice(props: Props) {
  const { app, name, kind, at, origin, actionLink, locale, t } = props;
  const words = NOTICES[kind];
  const title = words.title(props);
  const rows: [string, string][] = [[t("emails.notice.when"), formatDateTime(at, locale)]];
  if (!words.byAdmin) {
    rows.push([t("emails.notice.browser"), clean(origin?.browser) || t("emails.notice.unknownBrowser")]);
    rows.push([t("emails.notice.ip"), clean(origin?.ip, 45) || t("emails.notice.unknown")]);
  }
  return (
    <EmailLayout
      app={app}
      preview={words.byAdmin ? t("emails.notice.previewAdmin", { title }) : t("emails.notice.preview", { title })}
      heading={title}
      reason={t("emails.notice.reason", { app })}
    >
      <Paragraph>{t("emails.hi", { name })}</Paragraph>
      <Paragraph>{words.happened(props)}</Paragraph>
      <Facts rows={rows} />
      {words.byAdmin ? (
        <>
          <Paragraph>{t("emails.notice.askAdmin", { organisation: organisation(props) })}</Paragraph>
          <Action href={actionLink}>{t("emails.notice.openAccount")}</Action>
        </>
      ) : (
        <>
          <Paragraph>{t("emails.notice.ifYou")}</Paragraph>
          <Paragraph>{t.rich("emails.notice.ifNotYou", { strong: (chunks) => <strong>{chunks}</strong> })}</Paragraph>
          <Action href={actionLink}>{t("emails.notice.secure")}</Action>
        </>
      )}
    </EmailLayout>
  );
}

export const securityNotice: TemplateDef<"security_notice"> = {
  subject: (props) => NOTICES[props.kind].title(props),
  Email: SecurityNotice,
};
