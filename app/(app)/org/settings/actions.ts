"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { ZodError } from "zod";
import { orgAdminAction } from "@/lib/actions/client";
import { fieldErrors } from "@/lib/auth/schemas";
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
    return { status: "success", message: result.changed ? "Organisation name saved." : "Nothing to change: that is already the name." };
  },
  invalid,
);

/** What the admin reads after the switch or the deadline changed. */
function requirementMessage(change: RequirementChange, enforcedFrom: Date | null, now: Date): string {
  if (change === "turned_off") return "Multi-factor authentication is no longer required.";
  const grace = enforcedFrom !== null && enforcedFrom.getTime() > now.getTime();
  if (grace && enforcedFrom)
    return change === "deadline_changed"
      ? `The deadline is now ${formatDay(enforcedFrom)}. Members without multi-factor authentication see the new date on every page.`
      : `Multi-factor authentication is required from ${formatDay(enforcedFrom)}. Until then, members without it see a reminder on every page.`;
  if (change === "unchanged") return "Nothing to change: multi-factor authentication is already required.";
  return "Multi-factor authentication is now required. Members without it are asked to set it up on their next page.";
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
    if (!result.ok) return result.error === "rate_limited" ? { status: "error", message: `You have sent many reminders this hour. ${retryMessage(result.retryAt)}` } : refused(result.error);
    revalidatePath(PATH);
    const { sent, alreadyToday } = result;
    if (userId) return { status: "success", message: sent ? "Reminder sent." : "They were already reminded today. They get at most one reminder a day." };
    const already = alreadyToday ? ` ${alreadyToday} already reminded today.` : "";
    return { status: "success", message: sent ? `Reminder sent to ${sent} ${sent === 1 ? "member" : "members"}.${already}` : `Everyone without MFA was already reminded today.` };
  },
  () => refused("not_found"),
);

const METHODS_SAVED: Record<MfaMethodsSetting, string> = {
  any: "Members may use any sign-in method: a passkey, an authenticator app or text messages.",
  totp_only: "Text messages are no longer allowed. Members who use them are asked to add an authenticator app or a passkey on their next page.",
  passkey_only: "Only passkeys and security keys are allowed now. Members without one are asked to add one on their next page.",
};

export const setMfaMethodsAction = orgAdminAction(
  mfaMethodsSchema,
  "mfa_policy.change",
  async (input, { actor, info, db }): Promise<OrgState> => {
    const result = await setMfaMethods(db, actor, { ...input, info });
    if (!result.ok) return refused(result.error);
    revalidatePath("/", "layout");
    return {
      status: "success",
      message: METHODS_SAVED[input.methods],
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
    if (!result.changed) return { status: "success", message: "Nothing to change: that is already the setting." };
    if (days === 0) return { status: "success", message: "Members are asked for their second factor at every sign-in. Browsers they trusted are forgotten." };
    return { status: "success", message: `Members may skip their second factor on a trusted browser for ${days} ${days === 1 ? "day" : "days"}, from their next sign-in.` };
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
    return { status: "success", message: "Invitation revoked. Its link no longer works." };
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
    return { status: "success", message: "Sent again with a new link. The earlier link no longer works." };
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
    return { status: "success", message: input.role === "admin" ? "Role changed to Admin." : "Role changed to Member." };
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
    return { status: "success", message: "Member removed. They were signed out everywhere." };
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
    const proof = input.proof === "access_code" ? "the temporary access code below" : "a code we email them";
    const next = current.organisation.mfaRequired
      ? `They set it up again when they next sign in, proving it is them with their password and ${proof}.`
      : `They can sign in with their password; to turn it on again they also need ${proof}.`;
    // The access code leaves the server this once, for the admin to pass on (like an invitation link).
    const accessCode = result.accessCode ? { code: result.accessCode.code, expiresAt: result.accessCode.expiresAt.toISOString() } : undefined;
    return { status: "success", message: `Multi-factor authentication was reset and they were signed out. ${next}`, accessCode };
  },
  unknownMember,
);
