"use server";
import { noInput, publicAction } from "@/lib/actions/client";
import { recordEvent } from "@/lib/audit/events";
import { signOut } from "@/lib/auth/config";
import { getCurrentSession } from "@/lib/auth/dal";
import { revokeSession } from "@/lib/auth/sessions";

/** Ends the session row first (so a copied cookie is dead too), then clears the cookie. Works from any session state. */
export const signOutAction = publicAction(
  noInput,
  async (_input, { db, info }): Promise<void> => {
    const current = await getCurrentSession();
    if (current) {
      await revokeSession(db, current.session.id, "signed_out");
      await recordEvent(db, { action: "session.signed_out", userId: current.user.id, organisationId: current.organisation?.id, ...info });
    }
    await signOut({ redirectTo: "/login?notice=signed_out" });
  },
  () => undefined,
);
