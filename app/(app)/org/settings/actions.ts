"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { ZodError } from "zod";
import { orgAdminAction } from "@/lib/actions/client";
import { fieldErrors } from "@/lib/auth/schemas";
import { currentLocale, say } from "@/lib/i18n/context";
import { ORG_ERRORS, type OrgError } from "@/lib/org/errors";
import { createInvitation, resendInvitation, revokeInvitation } from "@/lib/org/invitations";
import { changeMemberRole, removeMember, resetMemberMfa } from "@/lib/org/members";
import { formatDay } from "@/lib/org/dates";
import { remindMembers } from "@/lib/org/mfa-reminders";
import { deadlineFor, type RequirementChange, setMfaMethods, setMfaRequirement, setTrustedBrowserDays } from "@/lib/org/mfa-settings";
import { retryMessage } from "@/lib/mfa/errors";
import { renameOrganisation } from "@/lib/org/organisation";
import { type MfaMethodsSetting, needsMfaSetup } from "@/lib/org/policy";
import {
  invitationIdSchema,
  invitationSchema,
  memberIdSchema,
  mfaMethodsSchema,
  mfaRequirementSchema,
  organisationNameSchema,
  remindSchema,
  resetMfaSchema,
  roleChangeSchema,
  trustedBrowserDaysSchema,
} from "@/lib/org/schemas";

/**
 * What every settings action returns. Never a password; the invitation link is shown to its admin once.
 * `stepUp`: refused for want of a fresh step-up (lib/org/permissions.ts); the page asks for one and submits again.
 */
export type OrgState =
  | { status: "idle" }
  | { status: "error"; message?: string; fieldErrors?: Record<string, string>; stepUp?: true }
  | { status: "success"; message: string; accessCode?: { code: string; expiresAt: string } };
export type InviteState = OrgState | { status: "created"; email: string; link: string; replaced: boolean; emailed: boolean };

const PATH = "/org/settings";
const refused = (error: OrgError): OrgState =>
  error === "step_up_required" ? { status: "error", message: ORG_ERRORS[error], stepUp: true } : { status: "error", message: ORG_ERRORS[error] };
/** Bad input: each message next to its field. */
const invalid = (error: ZodError): OrgState => ({ status: "error", fieldErrors: fieldErrors(error) });
/** A malformed member or invitation id is answered like an unknown one. */
const unknownMember = (error: ZodError): OrgState => ("userId" in fieldErrors(error) ? refused("not_found") : invalid(error));
const unknownInvitation = (): OrgState => refused("invitation_not_found");

export const renameOrganisationAction = orgAdminAction(
  organisationNameSchema,
  "organisation.rename",
  async ({ name }, { actor, info, db }): Promise<OrgState> => {
    const result = await renameOrganisation(db, actor, name, info);
    if (!result.ok) return refused(result.error);
    revalidatePath("/", "layout");
    return { status: "success", message: say(result.changed ? "orgSettings.done.renamed" : "orgSettings.done.sameName") };
  },
  invalid,
);

/** What the admin reads after the switch or the deadline changed. */
function requirementMessage(change: RequirementChange, enforcedFrom: Date | null, now: Date): string {
  if (change === "turned_off") return say("orgSettings.done.requirement.off");
  const grace = enforcedFrom !== null && enforcedFrom.getTime() > now.getTime();
  if (grace && enforcedFrom) {
    const day = formatDay(enforcedFrom, currentLocale());
    return say(change === "deadline_changed" ? "orgSettings.done.requirement.deadlineChanged" : "orgSettings.done.requirement.from", { day });
  }
  if (change === "unchanged") return say("orgSettings.done.requirement.unchanged");
  return say("orgSettings.done.requirement.now");
}

export const setMfaRequirementAction = orgAdminAction(
  mfaRequirementSchema,
  "mfa_policy.change",
  async (input, { current, actor, info, db }): Promise<OrgState> => {
    const now = new Date();
    const result = await setMfaRequirement(db, actor, { required: input.required, enforceFrom: deadlineFor(input.when, now), now, info });
    if (!result.ok) return result.error === "deadline_too_far" ? { status: "error", fieldErrors: { date: ORG_ERRORS.deadline_too_far } } : refused(result.error);
    revalidatePath("/", "layout");
    // The admin is a member too: without a factor of their own, a requirement in force applies to them right away.
    const organisation = { ...current.organisation, mfaRequired: input.required, mfaEnforcedFrom: result.enforcedFrom };
    if (input.required && needsMfaSetup({ ...current, organisation }, now)) redirect(`/account/mfa-setup?callbackUrl=${encodeURIComponent(PATH)}`);
    return { status: "success", message: requirementMessage(result.change, result.enforcedFrom, now) };
  },
  invalid,
);

/** "Remind" (one member) and "Remind all": an email to set up MFA, at most one a day per member. */
export const remindMembersAction = orgAdminAction(
  remindSchema,
  "members.remind_mfa",
  async ({ userId }, { actor, info, db }): Promise<OrgState> => {
    const result = await remindMembers(db, actor, { userId, info });
    if (!result.ok) return result.error === "rate_limited" ? { status: "error", message: say("orgSettings.done.remind.throttled", { retry: retryMessage(result.retryAt) }) } : refused(result.error);
    revalidatePath(PATH);
    const { sent, alreadyToday } = result;
    if (userId) return { status: "success", message: say(sent ? "orgSettings.done.remind.one" : "orgSettings.done.remind.oneAlready") };
    const already = alreadyToday ? ` ${say("orgSettings.done.remind.already", { count: alreadyToday })}` : "";
    return { status: "success", message: sent ? `${say("orgSettings.done.remind.sent", { count: sent })}${already}` : say("orgSettings.done.remind.allAlready") };
  },
  () => refused("not_found"),
);

/** What the admin reads after saving the allowed methods: messages `orgSettings.done.methods.<setting>`. */
const methodsSaved = (methods: MfaMethodsSetting) => say(`orgSettings.done.methods.${methods}`);

export const setMfaMethodsAction = orgAdminAction(
  mfaMethodsSchema,
  "mfa_policy.change",
  async (input, { actor, info, db }): Promise<OrgState> => {
    const result = await setMfaMethods(db, actor, { ...input, info });
    if (!result.ok) return refused(result.error);
    revalidatePath("/", "layout");
    return {
      status: "success",
      message: methodsSaved(input.methods),
    };
  },
  invalid,
);

/** "Let members skip MFA on trusted browsers for": off, 1, 7 or 30 days; needs the admin's fresh step-up. */
export const setTrustedBrowserDaysAction = orgAdminAction(
  trustedBrowserDaysSchema,
  "mfa_policy.change",
  async ({ days }, { actor, info, db }): Promise<OrgState> => {
    const result = await setTrustedBrowserDays(db, actor, { days, info });
    if (!result.ok) return result.error === "trusted_browser_days_invalid" ? { status: "error", fieldErrors: { days: ORG_ERRORS[result.error] } } : refused(result.error);
    revalidatePath(PATH);
    if (!result.changed) return { status: "success", message: say("orgSettings.done.trusted.same") };
    if (days === 0) return { status: "success", message: say("orgSettings.done.trusted.off") };
    return { status: "success", message: say("orgSettings.done.trusted.days", { days }) };
  },
  invalid,
);

export const createInvitationAction = orgAdminAction(
  invitationSchema,
  "invitations.create",
  async (input, { actor, info, db, origin }): Promise<InviteState> => {
    const result = await createInvitation(db, actor, input, { info });
    if (!result.ok)
      return result.error === "step_up_required" || result.error === "email_unverified"
        ? refused(result.error)
        : { status: "error", fieldErrors: { email: ORG_ERRORS[result.error] } };
    revalidatePath(PATH);
    return { status: "created", email: input.email, link: `${origin}/invite/${result.token}`, replaced: result.replaced, emailed: result.emailed };
  },
  invalid,
);

export const revokeInvitationAction = orgAdminAction(
  invitationIdSchema,
  "invitations.revoke",
  async ({ invitationId }, { actor, info, db }): Promise<OrgState> => {
    const result = await revokeInvitation(db, actor, invitationId, { info });
    if (!result.ok) return refused(result.error);
    revalidatePath(PATH);
    return { status: "success", message: say("orgSettings.done.revoked") };
  },
  unknownInvitation,
);

export const resendInvitationAction = orgAdminAction(
  invitationIdSchema,
  "invitations.resend",
  async ({ invitationId }, { actor, info, db }): Promise<OrgState> => {
    const result = await resendInvitation(db, actor, invitationId, { info });
    if (!result.ok) return refused(result.error);
    revalidatePath(PATH);
    return { status: "success", message: say("orgSettings.done.resent") };
  },
  unknownInvitation,
);

export const changeRoleAction = orgAdminAction(
  roleChangeSchema,
  "members.change_role",
  async (input, { actor, info, db }): Promise<OrgState> => {
    const result = await changeMemberRole(db, actor, input, { info });
    if (!result.ok) return refused(result.error);
    revalidatePath("/", "layout");
    return { status: "success", message: say(input.role === "admin" ? "orgSettings.done.roleAdmin" : "orgSettings.done.roleMember") };
  },
  unknownMember,
);

export const removeMemberAction = orgAdminAction(
  memberIdSchema,
  "members.remove",
  async (input, { actor, info, db }): Promise<OrgState> => {
    const result = await removeMember(db, actor, input, { info });
    if (!result.ok) return refused(result.error);
    revalidatePath(PATH);
    return { status: "success", message: say("orgSettings.done.removed") };
  },
  unknownMember,
);

export const resetMemberMfaAction = orgAdminAction(
  resetMfaSchema,
  "members.reset_mfa",
  async (input, { current, actor, info, db }): Promise<OrgState> => {
    const result = await resetMemberMfa(db, actor, input, { info });
    if (!result.ok) return refused(result.error);
    revalidatePath(PATH);
    const proof = say(input.proof === "access_code" ? "orgSettings.done.reset.accessCode" : "orgSettings.done.reset.email");
    const next = say(current.organisation.mfaRequired ? "orgSettings.done.reset.required" : "orgSettings.done.reset.optional", { proof });
    // The access code leaves the server this once, for the admin to pass on (like an invitation link).
    const accessCode = result.accessCode ? { code: result.accessCode.code, expiresAt: result.accessCode.expiresAt.toISOString() } : undefined;
    return { status: "success", message: say("orgSettings.done.reset.done", { next }), accessCode };
  },
  unknownMember,
);
