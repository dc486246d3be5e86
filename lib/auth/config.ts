import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { ensureAuthSecret } from "@/lib/config/secrets";
import { createSmsSender } from "@/lib/sms";
import { secureCookiesEnabled } from "./cookies";
import { appHostFrom, requestInfoFrom } from "./request-info";
import { signInSchema } from "./schemas";
import { claimSession, sessionAbsoluteMs } from "./sessions";
import { signInWithPassword } from "./sign-in";

class InvalidCredentials extends CredentialsSignin {
  code = "invalid_credentials";
}

/** Carries when to try again (epoch ms) in the error code; the sign-in action turns it into words. */
class Throttled extends CredentialsSignin {
  constructor(retryAt: Date) {
    super();
    this.code = `throttled:${retryAt.getTime()}`;
  }
}

declare module "next-auth" {
  interface User {
    sessionToken?: string;
  }
  interface Session {
    sessionToken?: string;
  }
}

/**
 * next-auth carries one thing in its encrypted JWT cookie: the token of our own session row. Every
 * request looks that row up (lib/auth/dal.ts), so sign-out, revocation and timeouts work server-side.
 * No /api/auth route is mounted: sign-in and sign-out run through server actions, and the session
 * (with its token) is never served to browser JavaScript.
 */
export const { auth, signIn, signOut } = NextAuth(() => ({
  secret: ensureAuthSecret(),
  trustHost: true,
  useSecureCookies: secureCookiesEnabled(),
  session: { strategy: "jwt", maxAge: Math.floor(sessionAbsoluteMs() / 1000) },
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
      id: "password",
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        const parsed = signInSchema.safeParse(credentials);
        if (!parsed.success) throw new InvalidCredentials();
        const db = await getDb();
        const result = await signInWithPassword(
          db,
          { sms: createSmsSender(db), host: appHostFrom(request.headers) },
          parsed.data,
          requestInfoFrom(request.headers),
        );
        if (!result.ok) throw result.error === "throttled" ? new Throttled(result.retryAt) : new InvalidCredentials();
        return { id: result.userId, sessionToken: result.token };
      },
    }),
    Credentials({
      // Exchanges a session created on the server (sign-up, completed MFA, accepted invitation) for the cookie, once.
      id: "session",
      credentials: { token: {} },
      async authorize(credentials) {
        if (typeof credentials.token !== "string" || credentials.token.length > 100) throw new InvalidCredentials();
        const claimed = await claimSession(await getDb(), credentials.token);
        if (!claimed) throw new InvalidCredentials();
        return { id: claimed.userId, sessionToken: credentials.token };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.sessionToken) return { st: user.sessionToken };
      return token;
    },
    session({ session, token }) {
      return { ...session, user: undefined as never, sessionToken: typeof token.st === "string" ? token.st : undefined };
    },
  },
}));
