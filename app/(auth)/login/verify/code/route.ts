import { withEmailDelivery } from "@/lib/actions/email-delivery";
import { requestLocale } from "@/lib/auth/locale";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { withLocale } from "@/lib/i18n/context";
import { DEFAULT_LOCALE } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import { type CodeOutcome, submitLoginCode } from "../submit-code";

export const dynamic = "force-dynamic";

/** A code form is a few hundred bytes; anything much larger is refused before it is parsed. */
const MAX_BODY_BYTES = 8 * 1024;

/**
 * POST /login/verify/code: the challenge form. The page's script posts it with fetch and gets JSON
 * (then navigates itself); without JavaScript the browser posts it and follows a 303. A route handler
 * rather than a server action, because an action that sets a cookie makes Next render a page into the
 * same response, which would cost more than checking the code itself (docs/performance.md, figure 2).
 */
export async function POST(req: Request): Promise<Response> {
  const wantsJson = (req.headers.get("accept") ?? "").includes("application/json");
  // Same-origin only, as Next checks server actions (the session cookie is SameSite=Lax as well).
  if (!sameOrigin(req)) return Response.json({ error: "Cross-origin request refused." }, { status: 403 });
  // Browsers always send a length for a form; without one (chunked) the size is unknown until it is read.
  const declared = req.headers.get("content-length");
  if (declared === null) return Response.json({ error: "Send the form with a Content-Length." }, { status: 411 });
  const length = Number(declared);
  if (!Number.isFinite(length) || length > MAX_BODY_BYTES) return Response.json({ error: "Request too large." }, { status: 413 });

  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    return Response.json({ error: "Send the form as form data." }, { status: 400 });
  }
  let outcome: CodeOutcome;
  try {
    // A sign-in can queue a notice (a new browser, a backup code used): it is sent after the response.
    outcome = await withLocale(await requestLocale(), () => withEmailDelivery(() => submitLoginCode(form)));
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

/**
 * A 303 to a path of this app. The Location stays relative, so the browser resolves it against the address
 * it used: behind a proxy (or on 127.0.0.1) Next's own idea of the host can differ from it.
 */
function seeOther(path: string) {
  return new Response(null, { status: 303, headers: { location: path, "cache-control": "no-store" } });
}

function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  if (process.env.APP_URL && host === new URL(process.env.APP_URL).host) return true;
  return host === (req.headers.get("x-forwarded-host") ?? req.headers.get("host"));
}
