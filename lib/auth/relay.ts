import crypto from "node:crypto";
import type { ActiveSession } from "./sessions";

/**
 * The session relay: one session lookup per request. The gate (proxy.ts) looks the session up to route the request; it
 * leaves the row here under a random one-time id that it passes to the app in a request header, and the
 * DAL takes it instead of querying again. The id never leaves the server and an entry is only handed to
 * a request carrying the same session token, so a forged header gets nothing; a missing entry just
 * means the DAL queries itself. The proxy and the app share this process's globalThis (as they share the
 * database client, db/client.ts).
 */
export const RELAY_HEADER = "x-session-relay";
/** Entries are meant for the request being routed right now; anything older is dropped. */
const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

type Entry = { token: string; current: ActiveSession | null; at: number };
const shared = globalThis as unknown as { __sessionRelay?: Map<string, Entry> };
shared.__sessionRelay ??= new Map();
const store = shared.__sessionRelay;

export function relaySession(token: string, current: ActiveSession | null, now = Date.now()): string {
  // Insertion order is age order: drop expired entries from the front.
  for (const [id, entry] of store) {
    if (now - entry.at <= TTL_MS && store.size < MAX_ENTRIES) break;
    store.delete(id);
  }
  const id = crypto.randomUUID();
  store.set(id, { token, current, at: now });
  return id;
}

/** The gate's lookup for this request, once; undefined when there is none for this token. */
export function takeRelayedSession(id: string | null | undefined, token: string, now = Date.now()): { current: ActiveSession | null } | undefined {
  if (!id) return undefined;
  const entry = store.get(id);
  if (!entry) return undefined;
  store.delete(id);
  if (entry.token !== token || now - entry.at > TTL_MS) return undefined;
  return { current: entry.current };
}
