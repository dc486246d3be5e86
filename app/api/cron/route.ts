import { getDb } from "@/db/client";
import { cronVerdict } from "@/lib/jobs/cron-auth";
import { runPeriodicJobs } from "@/lib/jobs/runner";

export const dynamic = "force-dynamic";

/**
 * GET /api/cron: runs the periodic jobs (lib/jobs/periodic.ts) where no server process stays up between requests
 * (Vercel; vercel.json schedules it). Needs `Authorization: Bearer <CRON_SECRET>`; answers 404 while CRON_SECRET
 * is unset, and 401 to anything else. Self-hosted servers run the same jobs on a timer and need none of this.
 */
export async function GET(req: Request): Promise<Response> {
  const verdict = cronVerdict(req.headers.get("authorization"));
  if (verdict === "disabled") return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
  if (verdict === "refused")
    return Response.json({ error: "unauthorized" }, { status: 401, headers: { "www-authenticate": 'Bearer realm="cron"', "cache-control": "no-store" } });
  const jobs = await runPeriodicJobs(await getDb(), new Date());
  return Response.json({ ok: jobs.every((job) => job.ok), jobs }, { status: jobs.every((job) => job.ok) ? 200 : 500, headers: { "cache-control": "no-store" } });
}
