import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { sessionClaimsFrom, sessionCookieName } from "./cookies";
import { can, type OrgOperation } from "@/lib/org/permissions";
import { needsMfaSetup } from "@/lib/org/policy";
import { RELAY_HEADER, takeRelayedSession } from "./relay";
import { appHostFrom, appOriginFrom, requestInfoFrom } from "./request-info";
import { type ActiveSession, findActiveSession } from "./sessions";

/**
 * The data-access layer: every page, server action and route handler starts here. The proxy's
 * redirects are a convenience; these checks are the enforcement (the proxy can be skipped).
 */
export const getCurrentSession = cache(async (): Promise<ActiveSession | null> => {
  const token = await currentSessionToken();
  if (!token) return null;
  // The gate usually looked this session up a moment ago for this very request (lib/auth/relay.ts).
  const handed = takeRelayedSession((await headers()).get(RELAY_HEADER), token);
  if (handed) return handed.current;
  return findActiveSession(await getDb(), token);
});


/**
 * The session token the request's cookie carries, unverified: for the sign-in code step, which checks its
 * pending session in the same query as its challenge (lib/mfa/login.ts signInWithCode).
 */
export async function currentSessionToken(): Promise<string | null> {
  return sessionClaimsFrom((await cookies()).get(sessionCookieName())?.value)?.st ?? null;
}

/** A fully signed-in user (password and, if they have one, second factor). Pages and actions redirect; never returns otherwise. */
export async function requireSession(options: { allowMfaSetup?: boolean } = {}): Promise<ActiveSession> {
  const current = await getCurrentSession();
  if (!current) redirect("/login");
  if (current.session.mfaState === "pending") redirect("/login/verify");
  if (!options.allowMfaSetup && needsMfaSetup(current)) redirect("/account/mfa-setup");
  return current;
}

/** A session that has passed the password step and waits for its second factor. */
export async function requirePendingSession(): Promise<ActiveSession> {
  const current = await getCurrentSession();
  if (!current) redirect("/login");
  if (current.session.mfaState !== "pending") redirect("/");
  return current;
}

export type OrgSession = ActiveSession & { organisation: NonNullable<ActiveSession["organisation"]> };

/** A fully signed-in member whose role allows `operation` in their organisation (lib/org/permissions.ts). */
export async function requireOrgPermission(operation: OrgOperation): Promise<OrgSession> {
  const current = await requireSession();
  if (!current.organisation || !can(current.membership?.role, operation)) redirect("/");
  return current as OrgSession;
}

/** For route handlers: a Response to return instead of redirecting. */
export async function requireSessionForRoute(): Promise<ActiveSession | Response> {
  const current = await getCurrentSession();
  if (!current) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (current.session.mfaState === "pending") return Response.json({ error: "Finish signing in first." }, { status: 401 });
  if (needsMfaSetup(current)) return Response.json({ error: "Set up multi-factor authentication first." }, { status: 403 });
  return current;
}

/** For route handlers: a member whose role allows `operation`, or the Response to return (401, 403). */
export async function requireOrgPermissionForRoute(operation: OrgOperation): Promise<OrgSession | Response> {
  const current = await requireSessionForRoute();
  if (current instanceof Response) return current;
  if (!current.organisation || !can(current.membership?.role, operation)) return Response.json({ error: "Only admins of this organisation can do this." }, { status: 403 });
  return current as OrgSession;
}

export async function currentRequest() {
  const h = await headers();
  return { info: requestInfoFrom(h), host: appHostFrom(h), origin: appOriginFrom(h) };
}
