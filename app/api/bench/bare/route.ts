import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { rateLimits, users } from "@/db/schema";
import { benchRoutesEnabled, notFound } from "../enabled";

export const dynamic = "force-dynamic";

/**
 * Baseline for the code-verification benchmark: the least a request that reads and writes can cost in
 * this build. One indexed read (users by email, unique index) and one write (an upsert of a `bench:`
 * counter by primary key), through the app's own database client. No session check on purpose.
 */
export async function POST(req: Request) {
  if (!benchRoutesEnabled()) return notFound();
  const email = new URL(req.url).searchParams.get("email") ?? "";
  const db = await getDb();
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email.toLowerCase()));
  if (!user) return Response.json({ ok: false }, { status: 404 });
  await db
    .insert(rateLimits)
    .values({ key: `bench:${user.id}`, count: 1 })
    .onConflictDoUpdate({ target: rateLimits.key, set: { count: sql`${rateLimits.count} + 1` } });
  return Response.json({ ok: true });
}
