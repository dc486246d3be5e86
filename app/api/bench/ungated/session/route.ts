import { sessionCheck } from "../../session-check";

export const dynamic = "force-dynamic";

/** Figure 3's baseline: the same session check on a path the gate's matcher leaves out (benchmark only). */
export const GET = sessionCheck;
