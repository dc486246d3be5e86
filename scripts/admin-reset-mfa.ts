// `npm run admin:reset-mfa -- <email>`: removes every second factor of an account (an operator's recovery).
import type { Db } from "../db/connect";
import { resetMfaByOperator } from "../lib/mfa/operator-reset";
import { type CliIo, runIfInvoked, runWithEmail } from "./operator-cli";

const USAGE = `Usage: npm run admin:reset-mfa -- <email>

Removes every second factor of the account with this email address (authenticator app, phone number,
backup codes), turns multi-factor authentication off and signs the account out everywhere. The user is
told by email. Check who is asking by other means first: this hands the account to whoever knows its password.

Uses DATABASE_URL, or the embedded database (stop the dev server first: it has one owner).`;

export function main(args: string[], io: CliIo): Promise<number> {
  return runWithEmail(args, USAGE, io, async (db: Db, email) => {
    const result = await resetMfaByOperator(db, email);
    if (!result.ok && result.error === "no_account") {
      io.err(`No account has the address ${email}. Nothing was changed.`);
      return 1;
    }
    if (!result.ok) {
      io.out(`${email} has no second factor. Nothing was changed.`);
      return 0;
    }
    const factors = `${result.factorsRemoved} ${result.factorsRemoved === 1 ? "factor" : "factors"}`;
    const sessions = `${result.sessionsEnded} ${result.sessionsEnded === 1 ? "session" : "sessions"}`;
    io.out(`Reset multi-factor authentication for ${email}: removed ${factors} and the backup codes, ended ${sessions}.`);
    return 0;
  });
}

runIfInvoked(import.meta.url, main);
