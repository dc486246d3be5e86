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

const factor = (p: Props) => clean(p.detail?.factor) || "A sign-in method";
const organisation = (p: Props) => clean(p.detail?.organisation) || "your organisation";

/** Every notice kind's words. The Record type makes a new NoticeKind a compile error until it has them. */
export const NOTICES: Record<NoticeKind, NoticeWords> = {
  new_browser_sign_in: {
    title: ({ app }) => `New sign-in to your ${app} account`,
    happened: () => "Your account was just signed in to from a browser it has not been used from before.",
  },
  password_changed: {
    title: () => "Your password was changed",
    happened: () => "The password of your account was changed. Other signed-in browsers were signed out.",
  },
  password_reset: {
    title: () => "Your password was reset",
    happened: () => "The password of your account was reset with a link sent to this address. Other signed-in browsers were signed out.",
  },
  mfa_enabled: {
    title: () => "Multi-factor authentication is on",
    happened: () => "Multi-factor authentication was turned on for your account: signing in now needs a second step after your password.",
  },
  mfa_disabled: {
    title: () => "Multi-factor authentication is off",
    happened: () => "Multi-factor authentication was turned off for your account: signing in now needs only your password.",
  },
  factor_added: {
    title: () => "A sign-in method was added",
    happened: (p) => `${factor(p)} was added to your account as a second sign-in step.`,
  },
  factor_removed: {
    title: () => "A sign-in method was removed",
    happened: (p) => `${factor(p)} was removed from your account and can no longer be used to sign in.`,
  },
  backup_codes_regenerated: {
    title: () => "New backup codes were created",
    happened: () => "New backup codes were created for your account. The codes you had before no longer work.",
  },
  backup_code_used: {
    title: () => "A backup code was used",
    happened: (p) => {
      const left = p.detail?.remaining;
      const count = left === undefined ? "" : left === 0 ? " You have no backup codes left: create new ones in My account." : ` You have ${left} backup code${left === 1 ? "" : "s"} left.`;
      return `A backup code was used to sign in to your account. Each code works once.${count}`;
    },
  },
  mfa_reset_by_admin: {
    title: () => "Your multi-factor authentication was reset",
    happened: (p) => {
      const admin = clean(p.detail?.admin) || "An admin";
      return `${admin}, an admin of ${organisation(p)}, reset multi-factor authentication on your account: your sign-in methods were removed, and you will set one up again the next time you sign in.`;
    },
    byAdmin: true,
  },
  org_requires_mfa: {
    title: (p) => `${clean(p.detail?.organisation, 60) || "Your organisation"} now requires multi-factor authentication`,
    happened: (p) =>
      p.detail?.from
        ? `An admin of ${organisation(p)} made multi-factor authentication required for every member from ${formatDate(p.detail.from)}. Set up a second sign-in step in My account before then; from that day you will be asked to set one up before you can continue.`
        : `An admin of ${organisation(p)} made multi-factor authentication required for every member. The next time you sign in, you will be asked to set up a second sign-in step if you have none.`,
    byAdmin: true,
  },
  email_changed: {
    title: () => "Your email address was changed",
    happened: (p) => {
      const address = clean(p.detail?.newAddress, 254);
      return address
        ? `The email address of your account was changed to ${address}. This address no longer signs in to it, and this is the last email sent here about it.`
        : "The email address of your account was changed. This address no longer signs in to it.";
    },
  },
};

function SecurityNotice(props: Props) {
  const { app, name, kind, at, origin, actionLink } = props;
  const words = NOTICES[kind];
  const title = words.title(props);
  const rows: [string, string][] = [["When", formatDateTime(at)]];
  if (!words.byAdmin) {
    rows.push(["Browser", clean(origin?.browser) || "Unknown browser"]);
    rows.push(["IP address", clean(origin?.ip, 45) || "Unknown"]);
  }
  return (
    <EmailLayout app={app} preview={words.byAdmin ? `${title}.` : `${title}. If this was not you, secure your account now.`} heading={title} reason={`You received this security notice because it concerns your ${app} account. Notices like this cannot be turned off.`}>
      <Paragraph>Hi {name},</Paragraph>
      <Paragraph>{words.happened(props)}</Paragraph>
      <Facts rows={rows} />
      {words.byAdmin ? (
        <>
          <Paragraph>If you did not expect this change, ask an admin of {organisation(props)} about it.</Paragraph>
          <Action href={actionLink}>Open my account</Action>
        </>
      ) : (
        <>
          <Paragraph>If this was you, there is nothing to do.</Paragraph>
          <Paragraph>
            <strong>If this was not you</strong>, someone else may have your password. Secure your account now: choose a new password and check your sign-in methods.
          </Paragraph>
          <Action href={actionLink}>Secure my account</Action>
        </>
      )}
    </EmailLayout>
  );
}

export const securityNotice: TemplateDef<"security_notice"> = {
  subject: (props) => NOTICES[props.kind].title(props),
  Email: SecurityNotice,
};
