import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { benchRoutesEnabled, notFound } from "../enabled";

export const dynamic = "force-dynamic";

/**
 * The same work as /api/health, on a path the gate's matcher includes (/api/health is left out), so the
 * difference between the two is what the gate (proxy.ts) adds to a request. Benchmark only.
 */
export async function GET() {
  if (!benchRoutesEnabled()) return notFound();
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
}
