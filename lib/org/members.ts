import { say } from "@/lib/i18n/context";
import { and, asc, count, eq, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { memberships, mfaFactors, organisations, users } from "@/db/schema";
import { recordEvent, recordEvents, type RequestInfo } from "@/lib/audit/events";
import { revokeOtherSessions } from "@/lib/auth/sessions";
import { forgetTrustedBrowsers } from "@/lib/auth/trusted-browsers";
import { describeFactors } from "@/lib/mfa/factors";
import type { RandomInt } from "@/lib/mfa/codes";
import { issueAccessCode, type ReenrolProof, voidAccessCodes } from "@/lib/mfa/reenrol";
import { removeFactors } from "@/lib/mfa/remove";
import { hasFreshStepUp } from "@/lib/mfa/step-up";
import type { OrgActor, OrgError } from "./errors";
import { can, needsStepUp, type OrgOperation } from "./permissions";
import type { Role } from "./schemas";

/** What an admin may know about a member's second factor: the kind, and for SMS the last four digits only. */
export type MemberMfa = { enabled: false } | { enabled: true; smsLast4: string | null; authenticatorApp: boolean; passkeys: number };

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: Date;
  mfa: MemberMfa;
  /** Reset by an admin and not enrolled again yet: how they will prove it is them (lib/mfa/reenrol.ts). */
  reenrolProof: "email" | "access_code" | null;
}

type Failure = { ok: false; error: OrgError };
type Options = { now?: Date; info?: Partial<RequestInfo> };

/** The organisation's members, by name. Phone numbers are cut to their last four digits inside the query. */
export async function listMembers(db: Db, organisationId: string): Promise<Member[]> {
  const rows = await db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
      mfaEnabled: users.mfaEnabled,
      reenrolProof: users.mfaReenrolProof,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organisationId, organisationId))
    .orderBy(asc(sql`lower(${users.name})`), asc(users.email));
  const factors = await db
    .select({ userId: mfaFactors.userId, kind: mfaFactors.kind, last4: sql<string | null>`right(${mfaFactors.phone}, 4)` })
    .from(mfaFactors)
    .innerJoin(memberships, eq(memberships.userId, mfaFactors.userId))
    .where(eq(memberships.organisationId, organisationId));
  return rows.map(({ mfaEnabled, ...row }) => {
    const mine = factors.filter((f) => f.userId === row.userId);
    const mfa: MemberMfa = mfaEnabled
      ? {
          enabled: true,
          smsLast4: mine.find((f) => f.kind === "sms")?.last4 ?? null,
          authenticatorApp: mine.some((f) => f.kind === "totp"),
          passkeys: mine.filter((f) => f.kind === "passkey").length,
        }
      : { enabled: false };
    return { ...row, mfa };
  });
}

/** "Authenticator app, SMS ending in 1234", or "Off", in the current language: each factor describes itself (lib/mfa/factors.ts). */
export function describeMemberMfa(mfa: MemberMfa): string {
  if (!mfa.enabled) return say("mfa.summary.off");
  const parts = describeFactors({ totp: mfa.authenticatorApp, passkeys: mfa.passkeys, smsLast4: mfa.smsLast4, backupCodesLeft: 0 });
  return parts.length > 0 ? parts.join(", ") : say("mfa.summary.on");
}

export function mfaCoverage(members: Pick<Member, "mfa">[]) {
  return { enabled: members.filter((m) => m.mfa.enabled).length, total: members.length };
}

async function findMember(db: Db, organisationId: string, userId: string) {
  const [row] = await db
    .select({ role: memberships.role, name: users.name, email: users.email, mfaEnabled: users.mfaEnabled, reenrolProof: users.mfaReenrolProof })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.userId, userId), eq(memberships.organisationId, organisationId)));
  return row ?? null;
}

async function adminCount(db: Db, organisationId: string) {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, "admin")));
  return Number(row.n);
}

/**
 * Locks the organisation row for the rest of the transaction, so member changes in one organisation
 * run one at a time: two admins demoting each other at once cannot leave it with none.
 * Also re-checks, at this moment, what lib/org/permissions.ts says of the operation: that the actor's role
 * allows it and, where it changes who can get in, that the actor's step-up is fresh (ASVS 5.0 7.5.1,
 * GitHub "sudo mode"). This is the enforcement; the page only decides when to show the step-up dialog.
 * Returns the refusal, or null when the operation may go ahead.
 */
export async function lockWithPermission(
  tx: Db,
  actor: OrgActor,
  operation: OrgOperation,
  now = new Date(),
): Promise<"forbidden" | "step_up_required" | null> {
  await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, actor.organisationId)).for("update");
  const me = await findMember(tx, actor.organisationId, actor.userId);
  if (!can(me?.role, operation)) return "forbidden";
  if (needsStepUp(operation) && !(await hasFreshStepUp(tx, actor, now))) return "step_up_required";
  return null;
}

export async function changeMemberRole(
  db: Db,
  actor: OrgActor,
  input: { userId: string; role: Role },
  options: Options = {},
): Promise<Failure | { ok: true; changed: boolean }> {
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "members.change_role", options.now);
    if (refused) return { ok: false, error: refused } as const;
    const target = await findMember(tx, actor.organisationId, input.userId);
    if (!target) return { ok: false, error: "not_found" } as const;
    if (target.role === input.role) return { ok: true, changed: false } as const;
    if (target.role === "admin" && (await adminCount(tx, actor.organisationId)) <= 1) return { ok: false, error: "last_admin" } as const;
    await tx
      .update(memberships)
      .set({ role: input.role })
      .where(and(eq(memberships.userId, input.userId), eq(memberships.organisationId, actor.organisationId)));
    await recordEvent(tx, {
      action: "org.member_role_changed",
      userId: input.userId,
      actorId: actor.userId,
      organisationId: actor.organisationId,
      detail: { from: target.role, to: input.role },
      ...options.info,
    });
    return { ok: true, changed: true } as const;
  });
}

/**
 * Takes the member out of the organisation and ends every session they have. The account itself stays,
 * so the audit trail keeps naming who did what; it no longer reaches anything of the organisation.
 */
export async function removeMember(
  db: Db,
  actor: OrgActor,
  input: { userId: string },
  options: Options = {},
): Promise<Failure | { ok: true; sessionsEnded: number }> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "members.remove", now);
    if (refused) return { ok: false, error: refused } as const;
    const target = await findMember(tx, actor.organisationId, input.userId);
    if (!target) return { ok: false, error: "not_found" } as const;
    if (input.userId === actor.userId) return { ok: false, error: "cannot_remove_self" } as const;
    if (target.role === "admin" && (await adminCount(tx, actor.organisationId)) <= 1) return { ok: false, error: "last_admin" } as const;
    await tx.delete(memberships).where(and(eq(memberships.userId, input.userId), eq(memberships.organisationId, actor.organisationId)));
    const ended = await revokeOtherSessions(tx, input.userId, null, "removed_from_organisation", now);
    // Signed out everywhere: no browser of theirs skips the second factor either (lib/auth/trusted-browsers.ts).
    await forgetTrustedBrowsers(tx, input.userId);
    await recordEvent(tx, {
      action: "org.member_removed",
      userId: input.userId,
      actorId: actor.userId,
      organisationId: actor.organisationId,
      detail: { role: target.role, sessionsEnded: ended },
      ...options.info,
    });
    return { ok: true, sessionsEnded: ended } as const;
  });
}

/**
 * An admin's factors going opens an admin account to whoever holds its password, so every admin hears of it
 * (ASVS 5.0 6.3.7 has users told of changes to their authentication; here the admins who answer for the
 * organisation are told too): one event in each other admin's own activity list, naming who did it and to
 * whom. The reset admin has theirs already (org.member_mfa_reset). Names and emails only, never a number.
 */
async function announceAdminReset(
  tx: Db,
  actor: OrgActor,
  target: { userId: string; name: string; email: string },
  info: Partial<RequestInfo> = {},
) {
  const me = await findMember(tx, actor.organisationId, actor.userId);
  const admins = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organisationId, actor.organisationId), eq(memberships.role, "admin"), ne(memberships.userId, target.userId)));
  const detail = { targetName: target.name, targetEmail: target.email, actorName: me?.name ?? null, actorEmail: me?.email ?? null };
  await recordEvents(
    tx,
    admins.map((admin) => ({
      action: "org.admin_mfa_reset" as const,
      userId: admin.userId,
      actorId: actor.userId,
      organisationId: actor.organisationId,
      detail,
      ...info,
    })),
  );
}

/**
 * For a lost phone: every factor and recovery code of the member goes, MFA is off and all their sessions
 * end. Where the organisation requires MFA, their next sign-in lands on setup. The admin never sees a code
 * or a number. Admins reset their own factor in My account instead (that needs the factor itself).
 *
 * Their next enrolment must prove more than the password (lib/mfa/reenrol.ts): `proof` "email" (the default)
 * asks for a code sent to their address; "access_code" makes a temporary access code, returned here once for
 * the admin to pass on (24 hours, single use). A member still waiting to enrol again can be reset again, to
 * switch the proof or to get a new access code; the older code stops working.
 */
export async function resetMemberMfa(
  db: Db,
  actor: OrgActor,
  input: { userId: string; proof?: ReenrolProof },
  options: Options & { randomInt?: RandomInt } = {},
): Promise<Failure | { ok: true; sessionsEnded: number; accessCode: { code: string; expiresAt: Date } | null }> {
  const now = options.now ?? new Date();
  const proof = input.proof ?? "email";
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "members.reset_mfa", now);
    if (refused) return { ok: false, error: refused } as const;
    const target = await findMember(tx, actor.organisationId, input.userId);
    if (!target) return { ok: false, error: "not_found" } as const;
    if (input.userId === actor.userId) return { ok: false, error: "cannot_reset_self" } as const;
    const held = await tx.select({ id: mfaFactors.id }).from(mfaFactors).where(eq(mfaFactors.userId, input.userId)).limit(1);
    if (!target.mfaEnabled && held.length === 0 && !target.reenrolProof) return { ok: false, error: "mfa_not_set_up" } as const;
    // The same removal as a user's own (lib/mfa/remove.ts); an admin's reset may remove the last factor.
    const removed = await removeFactors(tx, { userId: input.userId, which: "all", lastAllowed: true, keepSessionId: null, now });
    const factors = removed.ok ? removed.removed.filter((m) => m !== "backup") : [];
    const ended = await revokeOtherSessions(tx, input.userId, null, "mfa_reset_by_admin", now);
    await tx.update(users).set({ mfaReenrolProof: proof }).where(eq(users.id, input.userId));
    const accessCode = proof === "access_code" ? await issueAccessCode(tx, { userId: input.userId, now, randomInt: options.randomInt }) : null;
    if (!accessCode) await voidAccessCodes(tx, input.userId, now);
    await recordEvent(tx, {
      action: "org.member_mfa_reset",
      userId: input.userId,
      actorId: actor.userId,
      organisationId: actor.organisationId,
      detail: { factorsRemoved: factors.length, sessionsEnded: ended, proof },
      ...options.info,
    });
    if (target.role === "admin") await announceAdminReset(tx, actor, { userId: input.userId, name: target.name, email: target.email }, options.info);
    return { ok: true, sessionsEnded: ended, accessCode } as const;
  });
}
