"use server";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/events";
import { signOut } from "@/lib/auth/config";
import { currentRequest, getCurrentSession } from "@/lib/auth/dal";
import { revokeSession } from "@/lib/auth/sessions";

/** Ends the session row first (so a copied cookie is dead too), then clears the cookie. */
export async function signOutAction() {
  const current = await getCurrentSession();
  if (current) {
    const db = await getDb();
    const { info } = await currentRequest();
    await revokeSession(db, current.session.id, "signed_out");
    await recordEvent(db, { action: "session.signed_out", userId: current.user.id, organisationId: current.organisation?.id, ...info });
  }
  await signOut({ redirectTo: "/login?notice=signed_out" });
}
