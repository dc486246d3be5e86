"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { ZodError } from "zod";
import { accountAction, noInput } from "@/lib/actions/client";
import { resendVerificationEmail } from "@/lib/auth/email-verification";
import { retryMessage } from "@/lib/mfa/errors";
import { fieldErrors } from "@/lib/auth/schemas";
import { ORG_ERRORS } from "@/lib/org/errors";
import { createOrganisation } from "@/lib/org/organisation";
import { organisationNameSchema } from "@/lib/org/schemas";
import { say } from "@/lib/i18n/context";

export type CreateOrganisationState = { status: "idle" } | { status: "error"; message?: string; fieldErrors?: Record<string, string> };

/** A signed-in user without an organisation starts their own and becomes its admin. */
export const createOrganisationAction = accountAction(
  organisationNameSchema,
  async ({ name }, { actor, db, info }): Promise<CreateOrganisationState> => {
    const result = await createOrganisation(db, actor.userId, name, info);
    if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
    revalidatePath("/", "layout");
    // Next step for a new admin: the settings page, where the team is invited.
    redirect("/org/settings?created=1");
  },
  (error: ZodError): CreateOrganisationState => ({ status: "error", fieldErrors: fieldErrors(error) }),
);

export type ResendVerificationState = { status: "idle" } | { status: "sent" } | { status: "error"; message: string };

/** "Resend email" on the banner: a new link to the account's own address (budgeted in the domain). */
export const resendVerificationAction = accountAction(
  noInput,
  async (_input, { actor, db, info }): Promise<ResendVerificationState> => {
    const result = await resendVerificationEmail(db, actor.userId, info);
    if (result.ok) return { status: "sent" };
    if (result.error === "already_verified") {
      revalidatePath("/", "layout");
      return { status: "error", message: say("banner.alreadyConfirmed") };
    }
    return { status: "error", message: say("banner.severalLinks", { retry: retryMessage(result.retryAt) }) };
  },
  (): ResendVerificationState => ({ status: "error", message: say("common.badRequest") }),
);
