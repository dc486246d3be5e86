import { getToken } from "next-auth/jwt";
import { type NextRequest, NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { secureCookiesEnabled, sessionCookieName } from "@/lib/auth/cookies";
import { needsMfaSetup } from "@/lib/auth/gate";
import { findActiveSession } from "@/lib/auth/sessions";
import { ensureAuthSecret } from "@/lib/config/secrets";
import { contentSecurityPolicy, newNonce } from "@/lib/http/csp";

/** Pages anyone may open. Everything else needs a session. */
const PUBLIC_PATHS = ["/login", "/signup", "/invite", "/dev/outbox"];
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
 * that skips this still gets nothing.
 */
export async function proxy(req: NextRequest) {
  if (req.method !== "GET" && req.method !== "HEAD") return NextResponse.next();
  try {
    return (await route(req)) ?? withCsp(req);
  } catch (error) {
    // The session store is unreachable: answer a clear 503 instead of a stack trace; the next request tries again.
    console.error(`[gate] ${(error as Error).name}: database unavailable`);
    return new NextResponse(UNAVAILABLE_HTML, { status: 503, headers: { "content-type": "text/html; charset=utf-8", "retry-after": "10" } });
  }
}

/** Continues to the page with a fresh CSP nonce (Next reads it from the request headers). */
function withCsp(req: NextRequest) {
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

const UNAVAILABLE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Temporarily unavailable</title>
<style>body{font-family:system-ui,sans-serif;background:#f9fafb;color:#111827;display:grid;place-items:center;min-height:100vh;margin:0}main{max-width:28rem;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px #0001}h1{font-size:1.25rem}p{color:#4b5563;line-height:1.5}a{color:#1d4ed8}</style></head>
<body><main><h1>We are temporarily unavailable</h1><p>We cannot reach our database right now. Nothing you entered was lost. Please try again in a minute.</p><p><a href="">Try again</a></p></main></body></html>`;

/** Decides where a navigation may go; undefined means "continue". */
async function route(req: NextRequest): Promise<NextResponse | undefined> {
  const path = req.nextUrl.pathname;
  if (ALWAYS_OPEN.some((p) => isUnder(path, p))) return undefined;
  const jwt = await getToken({
    req,
    secret: ensureAuthSecret(),
    secureCookie: secureCookiesEnabled(),
    cookieName: sessionCookieName(),
  });
  const token = typeof jwt?.st === "string" ? jwt.st : null;
  const current = token ? await findActiveSession(await getDb(), token) : null;
  const isPublic = PUBLIC_PATHS.some((p) => isUnder(path, p)) && !isUnder(path, VERIFY_PATH);

  if (!current) return isPublic ? undefined : redirectTo(req, "/login");
  if (current.session.mfaState === "pending") return isUnder(path, VERIFY_PATH) ? undefined : redirectTo(req, VERIFY_PATH);
  if (needsMfaSetup(current)) return isUnder(path, SETUP_PATH) ? undefined : redirectTo(req, SETUP_PATH);
  if (path === "/login" || path === "/signup" || isUnder(path, VERIFY_PATH)) return NextResponse.redirect(new URL("/", req.url));
  return undefined;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/health).*)"],
};
