import type { Db } from "@/db/connect";
import { sessionCookieName } from "@/lib/auth/cookies";
import { sealSessionCookie } from "@/lib/auth/session-cookie";

/**
 * What the mocked Next.js request sees: the session token in the (next-auth) cookie, request headers, and
 * the test database. Server actions and the DAL run unchanged on top of these.
 */
export const request = {
  sessionToken: null as string | null,
  headers: new Headers({ "user-agent": "vitest", "x-forwarded-for": "203.0.113.9", host: "localhost" }),
  db: null as Db | null,
  signedIn: [] as { provider: string; options: Record<string, unknown> }[],
  /** Other cookies the request carries, and those a server action set. */
  cookies: new Map<string, string>(),
  /** The attributes each cookie was last set with (secure, httpOnly, sameSite, maxAge, path). */
  cookieOptions: new Map<string, Record<string, unknown>>(),
  /** What next/server's after() was given: work for after the response (sending queued email). Run it with runAfterResponse(). */
  afterResponse: [] as (() => unknown)[],
};

/** Runs (and forgets) the work scheduled for after the response, as Next does once the response is finished. */
export async function runAfterResponse(): Promise<void> {
  const work = request.afterResponse.splice(0);
  for (const task of work) await task();
}

/** The request's cookies as next/headers' cookies() shows them: the session cookie is sealed for real. */
const cookieStore = {
  get(name: string) {
    if (name === sessionCookieName() && request.sessionToken)
      return { name, value: sealSessionCookie({ st: request.sessionToken }, process.env.AUTH_SECRET ?? "", name, 3600) };
    const value = request.cookies.get(name);
    return value === undefined ? undefined : { name, value };
  },
  set(name: string, value: string, options: Record<string, unknown> = {}) {
    request.cookies.set(name, value);
    request.cookieOptions.set(name, options);
  },
  delete(name: string) {
    request.cookies.delete(name);
  },
};

/** next/navigation's redirect() throws; so does ours, with the target to assert on. */
export class RedirectSignal extends Error {
  constructor(readonly url: string) {
    super(`NEXT_REDIRECT ${url}`);
  }
}

export const mocks = {
  config: {
    auth: async () => (request.sessionToken ? { sessionToken: request.sessionToken, expires: "" } : null),
    signIn: async (provider: string, options: Record<string, unknown>) => {
      request.signedIn.push({ provider, options });
      throw new RedirectSignal(String(options.redirectTo ?? "/"));
    },
    /** The verified session's cookie, set directly: the test's "browser" now carries that token. */
    issueSessionCookie: async (token: string, mfaState: string) => {
      request.signedIn.push({ provider: "cookie", options: { token, mfaState } });
      request.sessionToken = token;
    },
    signOut: async (options: { redirectTo?: string } = {}) => {
      request.sessionToken = null;
      throw new RedirectSignal(options.redirectTo ?? "/");
    },
  },
  client: { getDb: async () => request.db as Db },
  headers: { headers: async () => request.headers, cookies: async () => cookieStore },
  navigation: {
    redirect: (url: string) => {
      throw new RedirectSignal(url);
    },
    notFound: () => {
      throw new RedirectSignal("/404");
    },
  },
  cache: { revalidatePath: () => {} },
  server: {
    after: (task: (() => unknown) | Promise<unknown>) => {
      request.afterResponse.push(typeof task === "function" ? task : () => task);
    },
  },
};

/** Runs a server action and reports how it ended: a redirect target, or the value it returned. */
export async function outcome<T>(run: () => Promise<T>): Promise<{ redirect: string } | { value: T }> {
  try {
    return { value: await run() };
  } catch (error) {
    if (error instanceof RedirectSignal) return { redirect: error.url };
    throw error;
  }
}

/** Form data as a browser would post it; null or undefined values are left out. */
export function formData(values: Record<string, string | null | undefined>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(values)) if (value != null) data.set(key, value);
  return data;
}

/**
 * A form posted to a route handler the way the page's script posts it: URL-encoded, same origin, JSON wanted,
 * with its length. `headers` override any of these (another origin, no Accept, a false length).
 */
export function formPost(handler: (req: Request) => Promise<Response>, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const body = new URLSearchParams(fields).toString();
  return handler(
    new Request(`http://localhost${path}`, {
      method: "POST",
      body,
      headers: {
        origin: "http://localhost",
        host: "localhost",
        accept: "application/json",
        "content-type": "application/x-www-form-urlencoded",
        "content-length": String(Buffer.byteLength(body)),
        ...headers,
      },
    }),
  );
}
