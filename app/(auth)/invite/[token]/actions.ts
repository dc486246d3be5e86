"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { accountAction, publicAction } from "@/lib/actions/client";
import { recordEvent } from "@/lib/audit/events";
import { signIn, signOut } from "@/lib/auth/config";
import { getCurrentSession } from "@/lib/auth/dal";
import { fieldErrors } from "@/lib/auth/schemas";
import { revokeSession } from "@/lib/auth/sessions";
import { ORG_ERRORS } from "@/lib/org/errors";
import { acceptInvitation, joinWithInvitation } from "@/lib/org/invitations";
import { needsMfaSetup } from "@/lib/org/policy";
import { acceptInvitationSchema, INVITATION_TOKEN_PATTERN } from "@/lib/org/schemas";

/** Never echoes the password; the name comes back (cut short) so a refused form keeps it. */
export type AcceptState =
  | { status: "idle" }
  | { status: "error"; message?: string; fieldErrors?: Record<string, string>; name: string };

const tokenSchema = z.object({ token: z.string().regex(INVITATION_TOKEN_PATTERN) });

export const acceptInvitationAction = publicAction(
  acceptInvitationSchema,
  async (input, { db, info }): Promise<AcceptState> => {
    const result = await acceptInvitation(db, input, { info });
    if (!result.ok && result.error === "password_unsafe") return { status: "error", fieldErrors: { password: result.message }, name: input.name.slice(0, 300) };
    if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error], name: input.name.slice(0, 300) };
    // Where the organisation's requirement is in force they go straight to setup (every other page would send them
    // there anyway); during its grace period they get the time that is left, like everyone else.
    const held = needsMfaSetup({ user: { mfaEnabled: false, hasTotp: false, hasPasskey: false }, organisation: result.organisation });
    await signIn("session", { token: result.sessionToken, redirectTo: held ? "/account/mfa-setup" : "/" });
    return { status: "idle" };
  },
  (error, values): AcceptState => {
    const errors = fieldErrors(error);
    const name = (values.name ?? "").slice(0, 300);
    if (errors.token) return { status: "error", message: ORG_ERRORS.invitation_invalid, name };
    return { status: "error", fieldErrors: errors, name };
  },
);

export type JoinState = { status: "idle" } | { status: "error"; message: string };

/** An existing account without an organisation (signed in as the invited email) joins with one click. */
export const joinWithInvitationAction = accountAction(
  tokenSchema,
  async ({ token }, { current, db, info }): Promise<JoinState> => {
    const result = await joinWithInvitation(db, { token, userId: current.user.id }, { info });
    if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
    revalidatePath("/", "layout");
    // Where the organisation's policy holds them at setup, they go straight there (as after accepting as a new user).
    redirect(needsMfaSetup({ user: current.user, organisation: result.organisation }) ? "/account/mfa-setup" : "/");
  },
  (): JoinState => ({ status: "error", message: ORG_ERRORS.invitation_invalid }),
);

/** Someone already signed in in this browser signs out, then comes back to the same invitation. */
export const signOutToAcceptAction = publicAction(
  z.object({ token: z.string().regex(INVITATION_TOKEN_PATTERN).optional().catch(undefined) }),
  async ({ token }, { db, info }): Promise<void> => {
    const current = await getCurrentSession();
    if (current) {
      await revokeSession(db, current.session.id, "signed_out");
      await recordEvent(db, { action: "session.signed_out", userId: current.user.id, organisationId: current.organisation?.id, ...info });
    }
    await signOut({ redirectTo: token ? `/invite/${token}` : "/login" });
  },
  () => undefined,
);
