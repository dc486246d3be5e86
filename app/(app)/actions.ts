"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { currentRequest, requireSession } from "@/lib/auth/dal";
import { fieldErrors } from "@/lib/auth/schemas";
import { ORG_ERRORS } from "@/lib/org/errors";
import { createOrganisation } from "@/lib/org/organisation";
import { organisationNameSchema } from "@/lib/org/schemas";

export type CreateOrganisationState = { status: "idle" } | { status: "error"; message?: string; fieldErrors?: Record<string, string> };

/** A signed-in user without an organisation starts their own and becomes its admin. */
export async function createOrganisationAction(_prev: CreateOrganisationState, formData: FormData): Promise<CreateOrganisationState> {
  const current = await requireSession();
  const parsed = organisationNameSchema.safeParse({ name: formData.get("name") ?? undefined });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const { info } = await currentRequest();
  const result = await createOrganisation(await getDb(), current.user.id, parsed.data.name, info);
  if (!result.ok) return { status: "error", message: ORG_ERRORS[result.error] };
  revalidatePath("/", "layout");
  // Next step for a new admin: the settings page, where the team is invited.
  redirect("/org/settings?created=1");
}
