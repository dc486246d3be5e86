import type { Db } from "./connect";
import { memberships, organisations, users } from "./schema";

/** Demo sign-ins, printed on first start and in the README. */
export const DEMO_ACCOUNTS = [
  { name: "Anna de Vries", email: "admin@acme.test", password: "demo-admin-pass", role: "admin" },
  { name: "Milan Jansen", email: "member@acme.test", password: "demo-member-pass", role: "member" },
] as const;

export const DEMO_ORGANISATION = "Acme Feedback";

/**
 * Creates the demo organisation with one admin and one member, unless any user exists. Returns whether it seeded.
 * The caller passes lib/auth/password's `hashPassword`: db/ does not import lib/.
 */
export async function seedDemo(db: Db, hashPassword: (password: string) => Promise<string>): Promise<boolean> {
  const existing = await db.select({ id: users.id }).from(users).limit(1);
  if (existing.length > 0) return false;
  const hashes = await Promise.all(DEMO_ACCOUNTS.map((a) => hashPassword(a.password)));
  await db.transaction(async (tx) => {
    const [org] = await tx.insert(organisations).values({ name: DEMO_ORGANISATION }).returning();
    for (const [i, account] of DEMO_ACCOUNTS.entries()) {
      const [user] = await tx
        .insert(users)
        .values({ name: account.name, email: account.email, passwordHash: hashes[i], emailVerifiedAt: new Date() })
        .returning();
      await tx.insert(memberships).values({ userId: user.id, organisationId: org.id, role: account.role });
    }
  });
  return true;
}

export function describeDemoAccounts(): string {
  return [
    `Demo organisation "${DEMO_ORGANISATION}":`,
    ...DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(6)} ${a.email} / ${a.password}`),
  ].join("\n");
}
