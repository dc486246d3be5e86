import { withEmailDelivery } from "@/lib/actions/email-delivery";
import { readFormPost, seeOther } from "@/lib/http/form-post";
import { requestLocale } from "@/lib/auth/locale";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { withLocale } from "@/lib/i18n/context";
import { DEFAULT_LOCALE, resolveLocale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import { type CodeOutcome, submitLoginCode } from "../submit-code";

export const dynamic = "force-dynamic";

/**
 * POST /login/verify/code: the challenge form. The page's script posts it with fetch and gets JSON
 * (then navigates itself); without JavaScript the browser posts it and follows a 303. A route handler
 * rather than a server action, because an action that sets a cookie makes Next render a page into the
 * same response, which would cost more than checking the code itself (docs/performance.md, figure 2).
 */
export async function POST(req: Request): Promise<Response> {
  const wantsJson = (req.headers.get("accept") ?? "").includes("application/json");
  const form = await readFormPost(req);
  if (form instanceof Response) return form;
  let outcome: CodeOutcome;
  try {
    // A sign-in can queue a notice (a new browser, a backup code used): it is sent after the response. The
    // browser's language is enough to start with; a refusal's words use the account's choice (submitLoginCode),
    // so a right code costs no lookup of the session beyond the code step's own.
    outcome = await withLocale(resolveLocale(null, req.headers.get("accept-language")), () => withEmailDelivery(() => submitLoginCode(form)));
  } catch (error) {
    console.error(`[verify] ${(error as Error).name}: could not check the code`);
    const message = translator(await requestLocale().catch(() => DEFAULT_LOCALE))("verify.unavailable");
    return wantsJson
      ? Response.json({ status: "error", message }, { status: 503, headers: { "retry-after": "10" } })
      : new Response(message, { status: 503, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "10" } });
  }
  if (wantsJson) return Response.json(outcome, { headers: { "cache-control": "no-store" } });
  if (outcome.status !== "error") return seeOther(outcome.to);
  // Without JavaScript the page shows the refusal from the URL (codes and numbers only, never free text).
  const params = new URLSearchParams({ method: outcome.method, error: outcome.error });
  if (outcome.attemptsLeft !== undefined) params.set("left", String(outcome.attemptsLeft));
  if (outcome.retryAt !== undefined) params.set("retry", String(outcome.retryAt));
  const callbackUrl = safeCallbackUrl(form.get("callbackUrl"));
  if (callbackUrl !== "/") params.set("callbackUrl", callbackUrl);
  return seeOther(`/login/verify?${params}`);
}
