"use server";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { currentRequest, needsMfaSetup, requireOrgAdmin } from "@/lib/auth/dal";
import { appOriginFrom } from "@/lib/auth/request-info";
import { fieldErrors } from "@/lib/auth/schemas";
import { retryMessage } from "@/lib/mfa/errors";
import { ORG_ERRORS, type OrgActor, type OrgError } from "@/lib/org/errors";
import { createInvitation, revokeInvitation } from "@/lib/org/invitations";
import { changeMemberRole, removeMember, resetMemberMfa } from "@/lib/org/members";
import { renameOrganisation } from "@/lib/org/organisation";
import { setMfaMethods, setMfaRequirement } from "@/lib/org/policy";
import {
  invitationIdSchema,
  invitationSchema,
  memberIdSchema,
  mfaMethodsSchema,
  mfaRequirementSchema,
  organisationNameSchema,
  roleChangeSchema,
} from "@/lib/org/schemas";

/** What every settings action returns. Never a password; the invitation link is shown to its admin once. */
export type OrgState =
  | { status: "idle" }
  | { status: "error"; message?: string; fieldErrors?: Record<string, string> }
  | { status: "success"; message: string };
export type InviteState = OrgState | { status: "created"; email: string; link: string; replaced: boolean };

const PATH = "/org/settings";
const notFound: OrgState = { status: "error", message: ORG_ERRORS.not_found };

/** Every action starts here: an admin of the organisation in their own session, fully signed in. */
async function admin() {
  const current = await requireOrgAdmin();
  const actor: OrgActor = { userId: current.user.id, sessionId: current.session.id, organisationId: current.organisation.id };
  const { info } = await currentRequest();
  return { current, actor, info, db: await getDb() };
}

/** A change behind the admin's password was refused: the reason goes under the password field. */
function passwordRefused(result: { error: OrgError; retryAt?: Date }): OrgState {
  const message = result.retryAt ? `${ORG_ERRORS[result.error]} ${retryMessage(result.retryAt)}` : ORG_ERRORS[result.error];
  return { status: "error", fieldErrors: { password: message } };
}

function field(formData: FormData, key: string): unknown {
  return formData.get(key) ?? undefined;
}

export async function renameOrganisationAction(_prev: OrgState, formData: FormData): Promise<OrgState> {
  const { actor, info, db } = await admin();
  const parsed = organisationNameSchema.safeParse({ name: field(formData, "name") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const result = await renameOrganisation(db, actor, parsed.data.name, info);
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
  revalidatePath("/", "layout");
  return { status: "success", message: result.changed ? "Organisation name saved." : "Nothing to change: that is already the name." };
}

export async function setMfaRequirementAction(_prev: OrgState, formData: FormData): Promise<OrgState> {
  const { current, actor, info, db } = await admin();
  const parsed = mfaRequirementSchema.safeParse({ required: field(formData, "required"), password: field(formData, "password") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const result = await setMfaRequirement(db, actor, { ...parsed.data, info });
  if (!result.ok) return passwordRefused(result);
  revalidatePath("/", "layout");
  // The admin is a member too: without a factor of their own, the requirement applies to them right away.
  if (parsed.data.required && needsMfaSetup({ ...current, organisation: { ...current.organisation, mfaRequired: true } }))
    redirect(`/account/mfa-setup?callbackUrl=${encodeURIComponent(PATH)}`);
  return {
    status: "success",
    message: parsed.data.required
      ? "Multi-factor authentication is now required. Members without it are asked to set it up on their next page."
      : "Multi-factor authentication is no longer required.",
  };
}

export async function setMfaMethodsAction(_prev: OrgState, formData: FormData): Promise<OrgState> {
  const { actor, info, db } = await admin();
  const parsed = mfaMethodsSchema.safeParse({ methods: field(formData, "methods"), password: field(formData, "password") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const result = await setMfaMethods(db, actor, { ...parsed.data, info });
  if (!result.ok) return passwordRefused(result);
  revalidatePath("/", "layout");
  return {
    status: "success",
    message:
      parsed.data.methods === "totp_only"
        ? "Only authenticator apps are allowed now. Members who use text messages are asked to add an app on their next page."
        : "Members may use an authenticator app or text messages.",
  };
}

export async function createInvitationAction(_prev: InviteState, formData: FormData): Promise<InviteState> {
  const { actor, info, db } = await admin();
  const parsed = invitationSchema.safeParse({ email: field(formData, "email"), role: field(formData, "role") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const result = await createInvitation(db, actor, parsed.data, { info });
  if (!result.ok) return { status: "error", fieldErrors: { email: ORG_ERRORS[result.error] } };
  revalidatePath(PATH);
  return { status: "created", email: parsed.data.email, link: `${appOriginFrom(await headers())}/invite/${result.token}`, replaced: result.replaced };
}

export async function revokeInvitationAction(_prev: OrgState, formData: FormData): Promise<OrgState> {
  const { actor, info, db } = await admin();
  const parsed = invitationIdSchema.safeParse({ invitationId: field(formData, "invitationId") });
  if (!parsed.success) return { status: "error", message: ORG_ERRORS.invitation_not_found };
  const result = await revokeInvitation(db, actor, parsed.data.invitationId, { info });
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
  revalidatePath(PATH);
  return { status: "success", message: "Invitation revoked. Its link no longer works." };
}

export async function changeRoleAction(_prev: OrgState, formData: FormData): Promise<OrgState> {
  const { actor, info, db } = await admin();
  const id = memberIdSchema.safeParse({ userId: field(formData, "userId") });
  if (!id.success) return notFound;
  const parsed = roleChangeSchema.safeParse({ userId: id.data.userId, role: field(formData, "role") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const result = await changeMemberRole(db, actor, parsed.data, { info });
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
  revalidatePath("/", "layout");
  return { status: "success", message: parsed.data.role === "admin" ? "Role changed to Admin." : "Role changed to Member." };
}

export async function removeMemberAction(_prev: OrgState, formData: FormData): Promise<OrgState> {
  const { actor, info, db } = await admin();
  const parsed = memberIdSchema.safeParse({ userId: field(formData, "userId") });
  if (!parsed.success) return notFound;
  const result = await removeMember(db, actor, parsed.data, { info });
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
  revalidatePath(PATH);
  return { status: "success", message: "Member removed. They were signed out everywhere." };
}

export async function resetMemberMfaAction(_prev: OrgState, formData: FormData): Promise<OrgState> {
  const { current, actor, info, db } = await admin();
  const parsed = memberIdSchema.safeParse({ userId: field(formData, "userId") });
  if (!parsed.success) return notFound;
  const result = await resetMemberMfa(db, actor, parsed.data, { info });
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
  revalidatePath(PATH);
  return {
    status: "success",
    message: current.organisation.mfaRequired
      ? "Multi-factor authentication was reset and they were signed out. They set it up again when they next sign in."
      : "Multi-factor authentication was reset and they were signed out. They can sign in with their password and turn it on again.",
  };
}
