import { type SQL, sql } from "drizzle-orm";
import type { NoticeKind, Origin } from "./messages";
import { appLink } from "./links";

export interface Notice {
  kind: NoticeKind;
  at: Date;
  origin: Origin;
  detail?: { method?: string; phoneLast4?: string; factor?: string; organisation?: string; remaining?: number; newAddress?: string; admin?: string; from?: string };
}

/** Where a notice sends someone who did not make the change: a password reset ends every session. */
export const noticeActionLink = () => appLink("/forgot-password");

/**
 * A security notice to each user that `recipients` yields (a query or CTE returning a `user_id` column),
 * addressed to their current email, as one INSERT ... SELECT: it can stand alone or be a fragment of the
 * statement that makes the change, so the notice exists exactly when the change commits (OWASP ASVS 5.0
 * 6.3.7: users are told of changes to their authentication). Notices carry no secret, so nothing is sealed.
 * It returns the new rows' ids: a caller that finds any calls noteQueuedEmail (lib/email/outbox.ts).
 */
export function queueNoticeSql(notice: Notice, recipients: SQL): SQL {
  const props = {
    kind: notice.kind,
    at: notice.at.toISOString(),
    origin: notice.origin,
    ...(notice.detail ? { detail: notice.detail } : {}),
    actionLink: noticeActionLink(),
  };
  return sql`insert into email_outbox (user_id, to_address, template, props)
    select u.id, u.email, 'security_notice', jsonb_build_object('name', u.name) || ${JSON.stringify(props)}::jsonb
    from users u where u.id in (select user_id from ${recipients})
    returning id`;
}
