import { sessionCheck } from "../session-check";

export const dynamic = "force-dynamic";

/** Figure 3's gated half: the gate runs, then the route's own session check (benchmark only). */
export const GET = sessionCheck;
