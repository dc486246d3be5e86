import { getToken } from "next-auth/jwt";
import { type NextRequest, NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { secureCookiesEnabled, sessionCookieName } from "@/lib/auth/cookies";
import { findActiveSession } from "@/lib/auth/sessions";
import { ensureAuthSecret } from "@/lib/config/secrets";

/** Pages anyone may open. Everything else needs a session. */
const PUBLIC_PATHS = ["/login", "/signup", "/invite", "/dev/outbox"];
const VERIFY_PATH = "/login/verify";
const SETUP_PATH = "/account/mfa-setup";

function isUnder(path: string, prefix: string) {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function redirectTo(req: NextRequest, target: string) {
  const url = new URL(target, req.url);
  const here = req.nextUrl.pathname + req.nextUrl.search;
  if (here !== "/" && !isUnder(req.nextUrl.pathname, "/login")) url.searchParams.set("callbackUrl", here);
  return NextResponse.redirect(url);
}

/**
 * The gate: sends people to the page their session state allows. It only redirects page navigations;
 * every page, action and route handler checks the session again itself (lib/auth/dal.ts), so a request
 * that skips this still gets nothing.
 */
export async function proxy(req: NextRequest) {
  if (req.method !== "GET" && req.method !== "HEAD") return NextResponse.next();
  const path = req.nextUrl.pathname;
  const jwt = await getToken({
    req,
    secret: ensureAuthSecret(),
    secureCookie: secureCookiesEnabled(),
    cookieName: sessionCookieName(),
  });
  const token = typeof jwt?.st === "string" ? jwt.st : null;
  const current = token ? await findActiveSession(await getDb(), token) : null;
  const isPublic = PUBLIC_PATHS.some((p) => isUnder(path, p)) && !isUnder(path, VERIFY_PATH);

  if (!current) return isPublic ? NextResponse.next() : redirectTo(req, "/login");
  if (current.session.mfaState === "pending") return isUnder(path, VERIFY_PATH) ? NextResponse.next() : redirectTo(req, VERIFY_PATH);
  if (current.organisation?.mfaRequired && !current.user.mfaEnabled)
    return isUnder(path, SETUP_PATH) ? NextResponse.next() : redirectTo(req, SETUP_PATH);
  if (path === "/login" || path === "/signup" || isUnder(path, VERIFY_PATH)) return NextResponse.redirect(new URL("/", req.url));
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/health).*)"],
};
