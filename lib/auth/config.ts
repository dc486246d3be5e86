import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { cookies } from "next/headers";
import { getDb } from "@/db/client";
import { ensureAuthSecret } from "@/lib/config/secrets";
import { secureCookiesEnabled, sessionCookieName } from "./cookies";
import { openSessionCookie, sealSessionCookie } from "./session-cookie";
import { claimSession, type MfaState, sessionAbsoluteMs } from "./sessions";

class InvalidCredentials extends CredentialsSignin {
  code = "invalid_credentials";
}

declare module "next-auth" {
  interface User {
    sessionToken?: string;
    mfaState?: MfaState;
  }
  interface Session {
    sessionToken?: string;
  }
}

/**
 * next-auth carries the token of our own session row (and that row's MFA state) in its sealed cookie
 * (session-cookie.ts). Every request looks the row up (lib/auth/dal.ts), so sign-out, revocation and
 * timeouts work server-side.
 * No /api/auth route is mounted: sign-in and sign-out run through server actions, and the session
 * (with its token) is never served to browser JavaScript. The password step and the code step seal the
 * cookie themselves (issueSessionCookie), in the format and with the attributes Auth.js reads: they already
 * hold the session, and Auth.js's sign-in would build and parse a request of its own around it.
 */
export const { auth, signIn, signOut } = NextAuth(() => ({
  secret: ensureAuthSecret(),
  trustHost: true,
  useSecureCookies: secureCookiesEnabled(),
  session: { strategy: "jwt", maxAge: cookieMaxAgeSeconds() },
  jwt: {
    encode: ({ token, secret, salt, maxAge }) =>
      sealSessionCookie(token ?? {}, firstSecret(secret), salt, maxAge ?? cookieMaxAgeSeconds()),
    decode: ({ token, secret, salt }) => openSessionCookie(token, firstSecret(secret), salt),
  },
  pages: { signIn: "/login", error: "/login" },
  logger: {
    // Expected sign-in failures are not server errors; anything else is logged by name only.
    error: (error) => {
      if (error instanceof CredentialsSignin) return;
      console.error(`[auth] ${error.name}: ${error.message.split("\n")[0]}`);
    },
    warn: () => {},
    debug: () => {},
  },
  providers: [
    Credentials({
      // Exchanges a session created on the server (sign-up, completed MFA, accepted invitation) for the cookie, once.
      id: "session",
      credentials: { token: {} },
      async authorize(credentials) {
        if (typeof credentials.token !== "string" || credentials.token.length > 100) throw new InvalidCredentials();
        const claimed = await claimSession(await getDb(), credentials.token);
        if (!claimed) throw new InvalidCredentials();
        return { id: claimed.userId, sessionToken: credentials.token, mfaState: claimed.mfaState };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.sessionToken) return { st: user.sessionToken, mfa: user.mfaState };
      return token;
    },
    session({ session, token }) {
      return { ...session, user: undefined as never, sessionToken: typeof token.st === "string" ? token.st : undefined };
    },
  },
}));

/** The cookie lives as long as a session may (the row's own expiry is what counts). */
function cookieMaxAgeSeconds() {
  return Math.floor(sessionAbsoluteMs() / 1000);
}

function firstSecret(secret: string | string[]): string {
  return Array.isArray(secret) ? secret[0] : secret;
}

/**
 * Sets the session cookie for a session this server has just created and already holds (a right password's
 * session, or the verified successor of a pending sign-in), in the format and with the attributes Auth.js uses.
 */
export async function issueSessionCookie(token: string, mfaState: MfaState) {
  const maxAge = cookieMaxAgeSeconds();
  const name = sessionCookieName();
  (await cookies()).set(name, sealSessionCookie({ st: token, mfa: mfaState }, ensureAuthSecret(), name, maxAge), {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: secureCookiesEnabled(),
    maxAge,
  });
}
