import { sql } from "drizzle-orm";
import { type NextRequest, NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { deviceCookieName, secureCookiesEnabled, sessionClaimsFrom, sessionCookieName } from "@/lib/auth/cookies";
import { DEVICE_COOKIE_MAX_AGE_S, isDeviceId, newDeviceId } from "@/lib/auth/devices";
import { needsMfaSetup } from "@/lib/org/policy";
import { RELAY_HEADER, relaySession } from "@/lib/auth/relay";
import { type ActiveSession, findActiveSession } from "@/lib/auth/sessions";
import { contentSecurityPolicy, newNonce } from "@/lib/http/csp";
import { UNAVAILABLE_MESSAGE } from "@/lib/http/unavailable";

/** The device id cookie's attributes (lib/auth/devices.ts). */
const DEVICE_COOKIE = { httpOnly: true, secure: secureCookiesEnabled(), sameSite: "lax", path: "/", maxAge: DEVICE_COOKIE_MAX_AGE_S } as const;

/** Pages anyone may open. Everything else needs a session. */
const PUBLIC_PATHS = ["/login", "/signup", "/invite", "/dev/outbox", "/verify-email", "/forgot-password", "/reset-password", "/confirm-email"];
/** Pages a link in an email opens: they work in any session state (signed out, halfway signed in, held at setup). */
const FROM_EMAIL = ["/verify-email", "/forgot-password", "/reset-password", "/confirm-email"];
/** Open whatever the session state: the dev outbox is where a pending sign-in reads its code. */
const ALWAYS_OPEN = ["/dev/outbox"];
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
 * that skips this still gets nothing. The session it looks up is handed to the DAL for the same request
 * (lib/auth/relay.ts), so a page costs one lookup, not two.
 */
export async function proxy(req: NextRequest) {
  const isPage = req.method === "GET" || req.method === "HEAD";
  const isAction = req.method === "POST" && req.headers.has("next-action");
  if (!isPage && !isAction) return NextResponse.next();
  try {
    const { token, current } = await lookUp(req);
    if (isAction) return forward(req, token, current, false);
    return route(req, token, current) ?? forward(req, token, current, true);
  } catch (error) {
    // The database is unreachable: answer a clear 503 instead of a stack trace; the next request tries again.
    console.error(`[gate] ${(error as Error).name}: database unavailable`);
    const headers = { "retry-after": "10", "cache-control": "no-store" };
    // A server action's fetch shows a plain-text error body as the error's message (Next's action client).
    if (isAction) return new NextResponse(UNAVAILABLE_MESSAGE, { status: 503, headers: { ...headers, "content-type": "text/plain" } });
    return new NextResponse(UNAVAILABLE_HTML, { status: 503, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
  }
}

/**
 * The session this request's cookie names. Without one, a server action still gets a one-query check
 * that the database answers, so an outage is a 503 before the action starts rather than a failure inside it.
 */
async function lookUp(req: NextRequest): Promise<{ token: string | null; current: ActiveSession | null }> {
  if (ALWAYS_OPEN.some((p) => isUnder(req.nextUrl.pathname, p))) return { token: null, current: null };
  const token = sessionClaimsFrom(req.cookies.get(sessionCookieName())?.value)?.st ?? null;
  if (token) return { token, current: await findActiveSession(await getDb(), token) };
  if (req.method === "POST") await (await getDb()).execute(sql`select 1`);
  return { token: null, current: null };
}

/** Continues to the app with the looked-up session for the DAL and, for pages, a fresh CSP nonce (Next reads it from the request headers). */
function forward(req: NextRequest, token: string | null, current: ActiveSession | null, withCsp: boolean) {
  const headers = new Headers(req.headers);
  headers.delete(RELAY_HEADER);
  if (token) headers.set(RELAY_HEADER, relaySession(token, current));
  if (!withCsp) return NextResponse.next({ request: { headers } });
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  // A browser gets its device id with the first page it opens, so the sign-in form posts it along.
  if (!isDeviceId(req.cookies.get(deviceCookieName())?.value)) res.cookies.set(deviceCookieName(), newDeviceId(), DEVICE_COOKIE);
  return res;
}

const UNAVAILABLE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Temporarily unavailable</title>
<style>body{font-family:system-ui,sans-serif;background:#f9fafb;color:#111827;display:grid;place-items:center;min-height:100vh;margin:0}main{max-width:28rem;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px #0001}h1{font-size:1.25rem}p{color:#4b5563;line-height:1.5}a{color:#1d4ed8}</style></head>
<body><main><h1>We are temporarily unavailable</h1><p>We cannot reach our database right now. Nothing you entered was lost. Please try again in a minute.</p><p><a href="">Try again</a></p></main></body></html>`;

/** Decides where a navigation may go; undefined means "continue". */
function route(req: NextRequest, token: string | null, current: ActiveSession | null): NextResponse | undefined {
  const path = req.nextUrl.pathname;
  if (ALWAYS_OPEN.some((p) => isUnder(path, p)) || FROM_EMAIL.some((p) => isUnder(path, p))) return undefined;
  const isPublic = PUBLIC_PATHS.some((p) => isUnder(path, p)) && !isUnder(path, VERIFY_PATH);

  // A cookie whose session is gone (signed out elsewhere, removed from the organisation, timed out) says so at sign-in.
  if (!current) return isPublic ? undefined : redirectTo(req, token ? "/login?notice=ended" : "/login");
  if (current.session.mfaState === "pending") return isUnder(path, VERIFY_PATH) ? undefined : redirectTo(req, VERIFY_PATH);
  if (needsMfaSetup(current)) return isUnder(path, SETUP_PATH) ? undefined : redirectTo(req, SETUP_PATH);
  if (path === "/login" || path === "/signup" || isUnder(path, VERIFY_PATH)) return NextResponse.redirect(new URL("/", req.url));
  return undefined;
}

export const config = {
  // api/bench/ungated: figure 3's baseline in the benchmarks (404 unless BENCH_ROUTES=true; docs/performance.md).
  // api/cron: the scheduler's call, checked by its own secret (app/api/cron/route.ts), never a browser's session.
  // login/password, login/verify/code: the sign-in's two form routes (POST only, never a page to redirect); each
  // checks what it needs itself, and the gate would only pass them through (docs/performance.md, figures 1 and 2).
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/health|api/cron|api/bench/ungated/|login/password|login/verify/code).*)"],
};
