"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/events";
import { signIn, signOut } from "@/lib/auth/config";
import { currentRequest, getCurrentSession, needsMfaSetup, requireSession } from "@/lib/auth/dal";
import { fieldErrors } from "@/lib/auth/schemas";
import { revokeSession } from "@/lib/auth/sessions";
import { ORG_ERRORS } from "@/lib/org/errors";
import { acceptInvitation, joinWithInvitation } from "@/lib/org/invitations";
import { acceptInvitationSchema, INVITATION_TOKEN_PATTERN } from "@/lib/org/schemas";

/** Never echoes the password; the name comes back (cut short) so a refused form keeps it. */
export type AcceptState =
  | { status: "idle" }
  | { status: "error"; message?: string; fieldErrors?: Record<string, string>; name: string };

export async function acceptInvitationAction(_prev: AcceptState, formData: FormData): Promise<AcceptState> {
  const rawName = formData.get("name");
  const name = typeof rawName === "string" ? rawName.slice(0, 300) : "";
  const parsed = acceptInvitationSchema.safeParse({
    token: formData.get("token") ?? undefined,
    name: rawName ?? undefined,
    password: formData.get("password") ?? undefined,
  });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.token) return { status: "error", message: ORG_ERRORS.invitation_invalid, name };
    return { status: "error", fieldErrors: errors, name };
  }
  const { info } = await currentRequest();
  const result = await acceptInvitation(await getDb(), parsed.data, { info });
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error], name };
  // Where the organisation requires MFA they go straight to setup (every other page would send them there anyway).
  await signIn("session", { token: result.sessionToken, redirectTo: result.mfaRequired ? "/account/mfa-setup" : "/" });
  return { status: "idle" };
}

export type JoinState = { status: "idle" } | { status: "error"; message: string };

/** An existing account without an organisation (signed in as the invited email) joins with one click. */
export async function joinWithInvitationAction(_prev: JoinState, formData: FormData): Promise<JoinState> {
  const current = await requireSession();
  const token = formData.get("token");
  if (typeof token !== "string" || !INVITATION_TOKEN_PATTERN.test(token)) return { status: "error", message: ORG_ERRORS.invitation_invalid };
  const { info } = await currentRequest();
  const result = await joinWithInvitation(await getDb(), { token, userId: current.user.id }, { info });
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
  revalidatePath("/", "layout");
  // Where the organisation's policy holds them at setup, they go straight there (as after accepting as a new user).
  redirect(needsMfaSetup({ user: current.user, organisation: result.organisation }) ? "/account/mfa-setup" : "/");
}

/** Someone already signed in in this browser signs out, then comes back to the same invitation. */
export async function signOutToAcceptAction(formData: FormData): Promise<void> {
  const token = formData.get("token");
  const back = typeof token === "string" && INVITATION_TOKEN_PATTERN.test(token) ? `/invite/${token}` : "/login";
  const current = await getCurrentSession();
  if (current) {
    const db = await getDb();
    const { info } = await currentRequest();
    await revokeSession(db, current.session.id, "signed_out");
    await recordEvent(db, { action: "session.signed_out", userId: current.user.id, organisationId: current.organisation?.id, ...info });
  }
  await signOut({ redirectTo: back });
}
