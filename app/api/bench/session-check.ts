import { requireSessionForRoute } from "@/lib/auth/dal";
import { benchRoutesEnabled, notFound } from "./enabled";

/**
 * A signed-in request's own work, as every page does it: the DAL's session check (lib/auth/dal.ts). Served
 * on a path the gate's matcher includes (/api/bench/session) and on one it leaves out
 * (/api/bench/ungated/session), so the difference is what the gate adds to a signed-in request. Benchmark only.
 */
export async function sessionCheck(): Promise<Response> {
  if (!benchRoutesEnabled()) return notFound();
  const current = await requireSessionForRoute();
  if (current instanceof Response) return current;
  return Response.json({ ok: true, mfa: current.session.mfaState });
}
