/**
 * A form posted to a route handler (the sign-in's password and code steps): the checks Next applies to a
 * server action, written once for the routes that answer instead of an action. A same-origin Origin header
 * (OWASP ASVS 5.0 3.5.1: no cross-site request may submit a form), a declared Content-Length within bounds
 * (the body is not read otherwise), and form data.
 */

/** A sign-in form is a few hundred bytes; anything much larger is refused before it is parsed. */
export const MAX_FORM_BYTES = 8 * 1024;

/** The form's data, or the answer that refuses the request. */
export async function readFormPost(req: Request): Promise<FormData | Response> {
  if (!sameOrigin(req)) return Response.json({ error: "Cross-origin request refused." }, { status: 403 });
  // Browsers always send a length for a form; without one (chunked) the size is unknown until it is read.
  const declared = req.headers.get("content-length");
  if (declared === null) return Response.json({ error: "Send the form with a Content-Length." }, { status: 411 });
  const length = Number(declared);
  if (!Number.isFinite(length) || length > MAX_FORM_BYTES) return Response.json({ error: "Request too large." }, { status: 413 });
  try {
    return await req.formData();
  } catch {
    return Response.json({ error: "Send the form as form data." }, { status: 400 });
  }
}

/** Whether the request's Origin is this app's (APP_URL's host, else the host the request was sent to). */
export function sameOrigin(req: Request): boolean {
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

/**
 * A 303 to a path of this app. The Location stays relative, so the browser resolves it against the address
 * it used: behind a proxy (or on 127.0.0.1) Next's own idea of the host can differ from it.
 */
export function seeOther(path: string) {
  return new Response(null, { status: 303, headers: { location: path, "cache-control": "no-store" } });
}
