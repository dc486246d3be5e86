import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { invitations, memberships, organisations, users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { hashPassword, newPasswordProblem } from "@/lib/auth/password";
import { isEmailVerified } from "@/lib/auth/email-verification";
import { createSession } from "@/lib/auth/sessions";
import { appLink } from "@/lib/email/links";
import { queueEmail } from "@/lib/email/outbox";
import { LIMITS } from "@/lib/security/limits";
import { takeBudgets } from "@/lib/security/rate-limit";
import { randomToken, sha256 } from "@/lib/crypto/tokens";
import type { OrgActor, OrgError } from "./errors";
import { lockWithPermission } from "./members";
import type { PolicyColumns } from "./policy";
import { type AcceptInvitationInput, INVITATION_TOKEN_PATTERN, type InvitationInput, type Role } from "./schemas";

/** An invitation link works for 7 days. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;

type Options = { now?: Date; info?: Partial<RequestInfo> };

/**
 * Creates an invitation and returns its token, the only time it exists outside the browser of the admin
 * who copies it: the database keeps its SHA-256. A newer invitation to the same email replaces a pending one.
 * An account that belongs to no organisation (a removed member) may be invited; it joins with joinWithInvitation.
 * An email whose account belongs to another organisation gets an invitation like any other, so the answer
 * never tells an admin who has an account elsewhere; its owner learns on the invitation page, signed in, that
 * an account belongs to one organisation only. Someone already in the admin's own organisation is no secret.
 */
export async function createInvitation(
  db: Db,
  actor: OrgActor,
  input: InvitationInput,
  options: Options = {},
): Promise<{ ok: false; error: OrgError } | { ok: true; token: string; invitationId: string; expiresAt: Date; replaced: boolean; emailed: boolean }> {
  const now = options.now ?? new Date();
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  return db.transaction(async (tx) => {
    // An invitation is a way in, of any role: the admin's step-up must be fresh (lib/org/permissions.ts).
    const refused = await lockWithPermission(tx, actor, "invitations.create", now);
    if (refused) return { ok: false, error: refused } as const;
    if (!(await isEmailVerified(tx, actor.userId))) return { ok: false, error: "email_unverified" } as const;
    const [member] = await tx
      .select({ id: users.id })
      .from(users)
      .innerJoin(memberships, eq(memberships.userId, users.id))
      .where(and(eq(users.email, input.email), eq(memberships.organisationId, actor.organisationId)));
    if (member) return { ok: false, error: "already_member" } as const;
    const replaced = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(invitations.organisationId, actor.organisationId),
          eq(invitations.email, input.email),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ id: invitations.id });
    const [row] = await tx
      .insert(invitations)
      .values({
        organisationId: actor.organisationId,
        email: input.email,
        role: input.role,
        tokenHash: sha256(token),
        invitedBy: actor.userId,
        expiresAt,
        createdAt: now,
      })
      .returning({ id: invitations.id });
    const emailed = await emailInvitation(tx, actor, { id: row.id, email: input.email, role: input.role, token, expiresAt }, now);
    await recordEvent(tx, {
      action: "org.invitation_created",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { invitationId: row.id, email: input.email, role: input.role, replaced: replaced.length > 0, emailed },
      ...options.info,
    });
    return { ok: true, token, invitationId: row.id, expiresAt, replaced: replaced.length > 0, emailed } as const;
  });
}

/**
 * Queues the invitation's email, naming the organisation and the admin who sent it, within the budgets per
 * invitation and per organisation. Over budget nothing is queued and the admin can still copy the link.
 */
async function emailInvitation(
  tx: Db,
  actor: OrgActor,
  invitation: { id: string; email: string; role: Role; token: string; expiresAt: Date },
  now: Date,
): Promise<boolean> {
  const budget = await takeBudgets(
    tx,
    [
      { key: `invite:email:${invitation.id}`, ...LIMITS.invitationEmailsPerInvitation() },
      { key: `invite:email:org:${actor.organisationId}`, ...LIMITS.invitationEmailsPerOrg() },
    ],
    now,
  );
  if (!budget.ok) return false;
  const [sender] = await tx
    .select({ inviter: users.name, organisation: organisations.name })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, actor.organisationId))
    .where(eq(users.id, actor.userId));
  await queueEmail(tx, {
    to: invitation.email,
    message: {
      template: "invitation",
      organisation: sender?.organisation ?? "",
      inviter: sender?.inviter ?? "",
      role: invitation.role,
      link: appLink(`/invite/${invitation.token}`),
      expiresAt: invitation.expiresAt.toISOString(),
    },
  });
  return true;
}

/**
 * Emails a pending invitation again with a new link (only the link's hash is kept, so the old one cannot be
 * sent twice); the old link stops working and the invitation runs for its full time again.
 */
export async function resendInvitation(
  db: Db,
  actor: OrgActor,
  invitationId: string,
  options: Options = {},
): Promise<{ ok: false; error: OrgError } | { ok: true; token: string; expiresAt: Date }> {
  const now = options.now ?? new Date();
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  return db.transaction(async (tx) => {
    const refused = await lockWithPermission(tx, actor, "invitations.resend", now);
    if (refused) return { ok: false, error: refused } as const;
    if (!(await isEmailVerified(tx, actor.userId))) return { ok: false, error: "email_unverified" } as const;
    const [row] = await tx
      .update(invitations)
      .set({ tokenHash: sha256(token), expiresAt })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.organisationId, actor.organisationId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, now),
        ),
      )
      .returning({ id: invitations.id, email: invitations.email, role: invitations.role });
    if (!row) return { ok: false, error: "invitation_not_found" } as const;
    // Over budget, the new link is not made either: the transaction rolls back and the old link keeps working.
    if (!(await emailInvitation(tx, actor, { ...row, token, expiresAt }, now))) throw new Throttled();
    await recordEvent(tx, {
      action: "org.invitation_resent",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { invitationId: row.id, email: row.email },
      ...options.info,
    });
    return { ok: true, token, expiresAt } as const;
  }).catch((error) => {
    if (error instanceof Throttled) return { ok: false as const, error: "throttled" as const };
    throw error;
  });
}

class Throttled extends Error {}

export async function revokeInvitation(
  db: Db,
  actor: OrgActor,
  invitationId: string,
  options: Options = {},
): Promise<{ ok: false; error: OrgError } | { ok: true }> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.organisationId, actor.organisationId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ email: invitations.email });
    if (!row) return { ok: false, error: "invitation_not_found" } as const;
    await recordEvent(tx, {
      action: "org.invitation_revoked",
      userId: actor.userId,
      organisationId: actor.organisationId,
      detail: { invitationId, email: row.email },
      ...options.info,
    });
    return { ok: true } as const;
  });
}

/** Invitations still waiting to be used: not accepted, not revoked, not expired. Newest first. */
export function listPendingInvitations(db: Db, organisationId: string, now = new Date()) {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
      invitedByName: users.name,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(
      and(
        eq(invitations.organisationId, organisationId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now),
      ),
    )
    .orderBy(desc(invitations.createdAt));
}

export type InvitationProblem = "invitation_invalid" | "invitation_expired" | "invitation_used" | "invitation_revoked";
export type InvitationLookup =
  | { ok: true; email: string; role: Role; organisationName: string; expiresAt: Date }
  | { ok: false; error: InvitationProblem };

/** What the invitation page shows for a token. An unknown or altered token finds nothing: its hash matches no row. */
export async function findInvitation(db: Db, token: unknown, now = new Date()): Promise<InvitationLookup> {
  if (typeof token !== "string" || !INVITATION_TOKEN_PATTERN.test(token)) return { ok: false, error: "invitation_invalid" };
  const [row] = await db
    .select({
      email: invitations.email,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      revokedAt: invitations.revokedAt,
      organisationName: organisations.name,
    })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(eq(invitations.tokenHash, sha256(token)));
  if (!row) return { ok: false, error: "invitation_invalid" };
  if (row.acceptedAt) return { ok: false, error: "invitation_used" };
  if (row.revokedAt) return { ok: false, error: "invitation_revoked" };
  if (row.expiresAt <= now) return { ok: false, error: "invitation_expired" };
  return { ok: true, email: row.email, role: row.role, organisationName: row.organisationName, expiresAt: row.expiresAt };
}

/** Whether the invited email has an account already, and whether that account belongs to an organisation. */
export async function invitedAccount(db: Db, email: string): Promise<"none" | "without_organisation" | "in_organisation"> {
  const [row] = await db
    .select({ organisationId: memberships.organisationId })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .where(eq(users.email, email));
  if (!row) return "none";
  return row.organisationId ? "in_organisation" : "without_organisation";
}

class EmailTaken extends Error {}

/** Postgres unique violation (the memberships or users unique index decided a race). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code ?? (error as { code?: string }).code;
  return String(code) === "23505";
}

/**
 * Joins the organisation: marks the invitation used, creates the user, their membership and a session,
 * all in one transaction. The conditional UPDATE is the lock: of two parallel accepts of one link, the
 * second finds the invitation already used and creates nothing.
 */
export async function acceptInvitation(
  db: Db,
  input: AcceptInvitationInput,
  options: Options = {},
): Promise<
  | { ok: false; error: InvitationProblem | "email_taken" }
  | { ok: false; error: "password_unsafe"; message: string }
  | { ok: true; userId: string; organisationId: string; organisation: PolicyColumns; sessionToken: string }
> {
  const now = options.now ?? new Date();
  const found = await findInvitation(db, input.token, now);
  if (!found.ok) return found;
  // The schema checked the password's rules; the breach check (when on) waits on the network, so it runs here.
  const problem = await newPasswordProblem(input.password);
  if (problem) return { ok: false, error: "password_unsafe", message: problem };
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [invitation] = await tx
        .update(invitations)
        .set({ acceptedAt: now })
        .where(
          and(
            eq(invitations.tokenHash, sha256(input.token)),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
            gt(invitations.expiresAt, now),
          ),
        )
        .returning();
      if (!invitation) {
        const again = await findInvitation(tx, input.token, now);
        return again.ok ? ({ ok: false, error: "invitation_used" } as const) : again;
      }
      const [org] = await tx
        .select({ mfaRequired: organisations.mfaRequired, mfaMethods: organisations.mfaMethods, mfaEnforcedFrom: organisations.mfaEnforcedFrom })
        .from(organisations)
        .where(eq(organisations.id, invitation.organisationId));
      const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, invitation.email));
      if (taken) throw new EmailTaken();
      // The link reached this address, so it is proven.
      const [user] = await tx
        .insert(users)
        .values({ name: input.name, email: invitation.email, passwordHash, emailVerifiedAt: now })
        .returning({ id: users.id });
      await tx.insert(memberships).values({ userId: user.id, organisationId: invitation.organisationId, role: invitation.role });
      const { token } = await createSession(tx, { userId: user.id, mfaState: "not_required", now, ...options.info });
      await recordEvent(tx, {
        action: "org.invitation_accepted",
        userId: user.id,
        organisationId: invitation.organisationId,
        detail: { invitationId: invitation.id, role: invitation.role },
        ...options.info,
      });
      return { ok: true, userId: user.id, organisationId: invitation.organisationId, organisation: org, sessionToken: token } as const;
    });
  } catch (error) {
    // The email got an account after the invitation was sent (or in a race with sign-up): the unique index decides.
    if (error instanceof EmailTaken || isUniqueViolation(error)) return { ok: false, error: "email_taken" };
    throw error;
  }
}

/**
 * An existing account joins with an invitation to its own email, signed in (password and second factor
 * already proven in this session), when it belongs to no organisation: a removed member coming back, or
 * someone invited after creating an account. Marks the invitation used and adds the membership in one
 * transaction; the user row is locked, and the one-membership-per-user index settles a race with
 * creating an organisation.
 */
export async function joinWithInvitation(
  db: Db,
  input: { token: unknown; userId: string },
  options: Options = {},
): Promise<
  | { ok: false; error: InvitationProblem | "invitation_other_account" | "already_in_organisation" }
  | { ok: true; organisationId: string; organisation: PolicyColumns }
> {
  const now = options.now ?? new Date();
  const found = await findInvitation(db, input.token, now);
  if (!found.ok) return found;
  const token = input.token as string;
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, input.userId)).for("update");
      if (!user || user.email !== found.email) return { ok: false, error: "invitation_other_account" } as const;
      const [member] = await tx.select({ id: memberships.id }).from(memberships).where(eq(memberships.userId, input.userId));
      if (member) return { ok: false, error: "already_in_organisation" } as const;
      const [invitation] = await tx
        .update(invitations)
        .set({ acceptedAt: now })
        .where(
          and(eq(invitations.tokenHash, sha256(token)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)),
        )
        .returning();
      if (!invitation) {
        const again = await findInvitation(tx, token, now);
        return again.ok ? ({ ok: false, error: "invitation_used" } as const) : again;
      }
      const [org] = await tx
        .select({ mfaRequired: organisations.mfaRequired, mfaMethods: organisations.mfaMethods, mfaEnforcedFrom: organisations.mfaEnforcedFrom })
        .from(organisations)
        .where(eq(organisations.id, invitation.organisationId));
      await tx.insert(memberships).values({ userId: input.userId, organisationId: invitation.organisationId, role: invitation.role });
      // The link reached the account's own address, so it is proven.
      await tx.update(users).set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${sql.param(now, users.emailVerifiedAt)})` }).where(eq(users.id, input.userId));
      await recordEvent(tx, {
        action: "org.invitation_accepted",
        userId: input.userId,
        organisationId: invitation.organisationId,
        detail: { invitationId: invitation.id, role: invitation.role, existingAccount: true },
        ...options.info,
      });
      return { ok: true, organisationId: invitation.organisationId, organisation: org } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, error: "already_in_organisation" };
    throw error;
  }
}
