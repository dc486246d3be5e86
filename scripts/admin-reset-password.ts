// `npm run admin:reset-password -- <email>`: emails the account a password-reset link (an operator's recovery).
import type { Db } from "../db/connect";
import { RESET_LINK_MINUTES, sendResetLinkByOperator } from "../lib/auth/password-reset";
import { type CliIo, runIfInvoked, runWithEmail } from "./operator-cli";

const USAGE = `Usage: npm run admin:reset-password -- <email>

Emails a password-reset link to the account with this email address. The link works for ${RESET_LINK_MINUTES}
minutes, once; an account with multi-factor authentication still proves a factor before choosing a password.
The link itself is never printed.

Uses DATABASE_URL, or the embedded database (stop the dev server first: it has one owner).`;

export function main(args: string[], io: CliIo): Promise<number> {
  return runWithEmail(args, USAGE, io, async (db: Db, email) => {
    const result = await sendResetLinkByOperator(db, email);
    if (!result.ok) {
      io.err(`No account has the address ${email}. Nothing was sent.`);
      return 1;
    }
    io.out(`Queued a password-reset email to ${email} (the link works for ${RESET_LINK_MINUTES} minutes).`);
    return 0;
  });
}

runIfInvoked(import.meta.url, main);
