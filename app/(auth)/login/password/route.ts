import { requestLocale } from "@/lib/auth/locale";
import { readFormPost } from "@/lib/http/form-post";
import { DEFAULT_LOCALE } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import { passwordStep } from "../password-step";

export const dynamic = "force-dynamic";

/** A failure that was not the user's (the database or the SMS provider): a 503 the client may retry. */
const UNAVAILABLE = { status: 503, headers: { "retry-after": "10", "cache-control": "no-store" } };

/**
 * POST /login/password: the sign-in form as the page's script posts it, answered with JSON (the state the
 * form shows, or where to go next, which the script then loads itself). A route handler rather than the
 * form's server action, because an action that sets a cookie makes Next render the page into the same
 * response (about 30 kB here), costing more CPU than everything in the password step but bcrypt
 * (docs/performance.md, figure 1). A form posted without JavaScript still reaches the action.
 */
export async function POST(req: Request): Promise<Response> {
  const form = await readFormPost(req);
  if (form instanceof Response) return form;
  try {
    const state = await passwordStep(form);
    if (state.status === "error" && state.unavailable) return Response.json(state, UNAVAILABLE);
    return Response.json(state, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    console.error(`[login] ${(error as Error).name}: the password step failed`);
    const formError = translator(await requestLocale().catch(() => DEFAULT_LOCALE))("auth.unavailable");
    return Response.json({ status: "error", formError, email: "" }, UNAVAILABLE);
  }
}
