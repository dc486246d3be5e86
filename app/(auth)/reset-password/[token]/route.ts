import { cookies } from "next/headers";
import { RESET_PATH, resetLinkCookieName, resetLinkCookieOptions } from "@/lib/auth/cookies";
import { EMAIL_TOKEN_PATTERN } from "@/lib/email/tokens";

/**
 * The link in a reset email. The token moves into a cookie for the reset page and the browser goes on to
 * that page without it, so it is not left in the address bar or the history, and no Referer can carry it
 * (OWASP Forgot Password Cheat Sheet). Nothing is looked up or spent here: a mail scanner that fetches the
 * link changes nothing. A malformed token is replaced by a word no token can be, and the page says the link
 * does not work.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  (await cookies()).set(resetLinkCookieName(), EMAIL_TOKEN_PATTERN.test(token) ? token : "invalid", resetLinkCookieOptions());
  return new Response(null, {
    status: 303,
    headers: { location: RESET_PATH, "referrer-policy": "no-referrer", "cache-control": "no-store" },
  });
}
