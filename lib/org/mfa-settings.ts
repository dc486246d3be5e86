import { and, count, eq, ne, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
import { memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { originOf } from "@/lib/audit/notices";
import { queueNoticeSql } from "@/lib/email/notices";
import { noteQueuedEmail } from "@/lib/email/outbox";
import { forgetOrgTrustedBrowsers, isTrustedBrowserDays, shortenOrgTrustedBrowsers } from "@/lib/auth/trusted-browsers";
import type { OrgActor, OrgError } from "./errors";
import { lockWithPermission } from "./members";
import { type MfaMethodsSetting, requirementEnforced } from "./policy";

type Refused = { ok: false; error: OrgError };

const DAY_MS = 24 * 60 * 60_000;
/** The longest grace period an admin may give (365 days): a requirement is a requirement, not a wish. */
export const MAX_GRACE_DAYS = 365;
/** The grace periods the settings page offers besides "Now" and a date of the admin's choosing. */
export const GRACE_DAYS = [7, 14, 30] as const;

/** 00:00 UTC of the day `date` falls on. */
export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/**
 * When a requirement asked for at `now` starts holding members: "now", the start (00:00 UTC) of the day
 * `days` ahead, or the start of a chosen date (YYYY-MM-DD, UTC). A deadline is always a whole UTC day, so "from
 * 14 December" means the same thing in the banner, the reminders and the gate.
 */
export function deadlineFor(choice: { when: "now" } | { when: "days"; days: number } | { when: "date"; date: string }, now: Date): Date {
  if (choice.when === "now") return now;
  if (choice.when === "days") return new Date(startOfUtcDay(now).getTime() + choice.days * DAY_MS);
  return new Date(`${choice.date}T00:00:00Z`);
}

async function countWithoutMfa(tx: Db, organisationId: string) {
  const [without] = await tx
    .select({ n: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, organisationId), eq(users.mfaEnabled, false)));
  return Number(without.n);
}

/**
 * Each member without MFA is told by email that the organisation now requires it (and from when), in the
 * transaction that turns the requirement on: an admin's change to what a member must do reaches the member
 * where they will see it.
 */
async function tellMembersWithoutMfa(tx: Db, organisationId: string, input: { at: Date; from: Date; info?: Partial<RequestInfo> }) {
  const [org] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, organisationId));
  const notice = {
    kind: "org_requires_mfa" as const,
    at: input.at,
    origin: originOf(input.info ?? {}),
    detail: { organisation: org?.name ?? "", ...(input.from > input.at ? { from: input.from.toISOString() } : {}) },
  };
  const result = await tx.execute(
    queueNoticeSql(
      notice,
      sql`(select m.user_id from memberships m join users u on u.id = m.user_id where m.organisation_id = ${organisationId}::uuid and not u.mfa_enabled) as held`,
    ),
  );
  if (rowsOf(result).length > 0) noteQueuedEmail();
}

export type RequirementChange = "turned_on" | "turned_off" | "deadline_changed" | "unchanged";

/**
 * Turns "Require multi-factor authentication for all users" on or off, or moves its deadline. Either way the
 * admin's step-up must be fresh (lib/org/permissions.ts; ASVS 5.0 7.5.1). `enforceFrom` (default: now) ends
 * the grace period: until then members without a factor see a reminder and keep working; from then on they
 * are held at setup. The gate reads the columns on every request, so a deadline brought forward (or "now")
 * holds them from their very next request, not their next sign-in. A deadline in the past means now.
 */
export async function setMfaRequirement(
  db: Db,
  actor: OrgActor,
  input: { required: boolean; enforceFrom?: Date | null; now?: Date; info?: Partial<RequestInfo> },
): Promise<Refused | { ok: true; change: RequirementChange; changed: boolean; membersWithoutMfa: number; enforcedFrom: Date | null }> {
  const now = input.now ?? new Date();
  const from = input.enforceFrom && input.enforceFrom.getTime() > now.getTime() ? input.enforceFrom : now;
  if (input.required && from.getTime() - now.getTime() > MAX_GRACE_DAYS * DAY_MS) return { ok: false, error: "deadline_too_far" };
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "mfa_policy.change", now);
    if (refused) return { ok: false, error: refused } as const;
    const [org] = await tx
      .select({ mfaRequired: organisations.mfaRequired, mfaEnforcedFrom: organisations.mfaEnforcedFrom })
      .from(organisations)
      .where(eq(organisations.id, actor.organisationId));
    if (!org) return { ok: false, error: "forbidden" } as const;
    const membersWithoutMfa = await countWithoutMfa(tx, actor.organisationId);
    const unchanged = { ok: true, change: "unchanged", changed: false, membersWithoutMfa } as const;

    if (!input.required) {
      if (!org.mfaRequired) return { ...unchanged, enforcedFrom: null };
      await tx.update(organisations).set({ mfaRequired: false, mfaRequiredAt: null, mfaEnforcedFrom: null }).where(eq(organisations.id, actor.organisationId));
      await recordEvent(tx, { action: "org.mfa_not_required", userId: actor.userId, organisationId: actor.organisationId, detail: { membersWithoutMfa }, ...input.info });
      return { ok: true, change: "turned_off", changed: true, membersWithoutMfa, enforcedFrom: null } as const;
    }

    const grace = from.getTime() > now.getTime();
    const detail = { membersWithoutMfa, enforcedFrom: from.toISOString() };
    if (!org.mfaRequired) {
      await tx
        .update(organisations)
        .set({ mfaRequired: true, mfaRequiredAt: now, mfaEnforcedFrom: from })
        .where(eq(organisations.id, actor.organisationId));
      await recordEvent(tx, { action: "org.mfa_required", userId: actor.userId, organisationId: actor.organisationId, detail: { ...detail, grace }, ...input.info });
      await tellMembersWithoutMfa(tx, actor.organisationId, { at: now, from, info: input.info });
      return { ok: true, change: "turned_on", changed: true, membersWithoutMfa, enforcedFrom: from } as const;
    }

    // Already required: "now" on a requirement in force changes nothing; any other date moves the deadline.
    const inForce = requirementEnforced({ required: true, enforcedFrom: org.mfaEnforcedFrom, methods: "any" }, now);
    if ((inForce && !grace) || org.mfaEnforcedFrom?.getTime() === from.getTime()) return { ...unchanged, enforcedFrom: org.mfaEnforcedFrom ?? now };
    await tx.update(organisations).set({ mfaEnforcedFrom: from }).where(eq(organisations.id, actor.organisationId));
    await recordEvent(tx, {
      action: "org.mfa_deadline_changed",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { ...detail, previous: org.mfaEnforcedFrom?.toISOString() ?? null },
      ...input.info,
    });
    return { ok: true, change: "deadline_changed", changed: true, membersWithoutMfa, enforcedFrom: from } as const;
  });
}

/**
 * Which methods members may use: "any", "totp_only" (no text messages: NIST SP 800-63B 3.2.9 calls SMS
 * restricted) or "passkey_only" (phishing-resistant only, NIST SP 800-63B 3.2.5). Members without an allowed
 * factor are held at setup by the gate from their next request, and enrolment offers only what is allowed
 * (lib/org/policy.ts). Needs the admin's fresh step-up; audited.
 */
export async function setMfaMethods(
  db: Db,
  actor: OrgActor,
  input: { methods: MfaMethodsSetting; now?: Date; info?: Partial<RequestInfo> },
): Promise<Refused | { ok: true; changed: boolean }> {
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "mfa_policy.change", input.now);
    if (refused) return { ok: false, error: refused } as const;
    const changed = await tx
      .update(organisations)
      .set({ mfaMethods: input.methods })
      .where(and(eq(organisations.id, actor.organisationId), ne(organisations.mfaMethods, input.methods)))
      .returning({ id: organisations.id });
    if (changed.length === 0) return { ok: true, changed: false } as const;
    // A trusted browser skips the second factor, and the trust may have been earned with a method that is no
    // longer allowed: every member proves an allowed factor again on their next sign-in.
    const trustedBrowsersForgotten = input.methods === "any" ? 0 : await forgetOrgTrustedBrowsers(tx, actor.organisationId);
    await recordEvent(tx, {
      action: "org.mfa_methods_changed",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { methods: input.methods, trustedBrowsersForgotten },
      ...input.info,
    });
    return { ok: true, changed: true } as const;
  });
}

/**
 * "Let members skip MFA on trusted browsers for": off (0), 1, 7 or 30 days (lib/auth/trusted-browsers.ts).
 * Lengthening it weakens sign-in, so any change needs the admin's fresh step-up like the rest of the MFA policy
 * ("mfa_policy.change"). A shorter setting holds from each member's next sign-in: existing trust is cut to it
 * here, and sign-in reads it too; off forgets every member's trusted browsers, in this transaction. Audited
 * with from and to. Anything but the four choices is refused and changes nothing.
 */
export async function setTrustedBrowserDays(
  db: Db,
  actor: OrgActor,
  input: { days: number; now?: Date; info?: Partial<RequestInfo> },
): Promise<Refused | { ok: true; changed: boolean; forgotten: number }> {
  const days = input.days;
  if (!isTrustedBrowserDays(days)) return { ok: false, error: "trusted_browser_days_invalid" };
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "mfa_policy.change", input.now);
    if (refused) return { ok: false, error: refused } as const;
    const [org] = await tx.select({ days: organisations.trustedBrowserDays }).from(organisations).where(eq(organisations.id, actor.organisationId));
    if (!org) return { ok: false, error: "forbidden" } as const;
    if (org.days === days) return { ok: true, changed: false, forgotten: 0 } as const;
    await tx.update(organisations).set({ trustedBrowserDays: days }).where(eq(organisations.id, actor.organisationId));
    let forgotten = 0;
    if (days === 0) forgotten = await forgetOrgTrustedBrowsers(tx, actor.organisationId);
    else if (days < org.days) await shortenOrgTrustedBrowsers(tx, actor.organisationId, days);
    await recordEvent(tx, {
      action: "org.trusted_browsers_changed",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { from: org.days, to: days, ...(days === 0 ? { browsersForgotten: forgotten } : {}) },
      ...input.info,
    });
    return { ok: true, changed: true, forgotten } as const;
  });
}
