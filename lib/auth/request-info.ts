import { isIP } from "node:net";
import type { RequestInfo } from "@/lib/audit/events";

/**
 * How many reverse proxies in front of the app append to X-Forwarded-For (TRUSTED_PROXY_HOPS).
 * Default: 1 on Vercel (VERCEL=1; the platform overwrites X-Forwarded-For with the client address), otherwise 0.
 */
export function trustedProxyHops(env: Record<string, string | undefined> = process.env): number {
  const raw = env.TRUSTED_PROXY_HOPS?.trim();
  if (raw && /^\d{1,2}$/.test(raw)) return Number(raw);
  return env.VERCEL === "1" ? 1 : 0;
}

/** One X-Forwarded-For entry as an address (brackets and port dropped, IPv6 lower-cased, IPv4-mapped IPv6 as IPv4); anything else is null. */
export function parseIp(raw: string): string | null {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  if (value.length > 45) return null;
  const kind = isIP(value);
  if (kind === 4) return value;
  if (kind !== 6) return null;
  const lower = value.toLowerCase();
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower)?.[1] ?? lower;
}

/**
 * The client address. Each trusted proxy appends the address it received the request from, so with N hops
 * the client is the Nth entry from the right; anything further left was sent by the client and proves nothing.
 * With no trusted proxy the result is null: Next keeps an X-Forwarded-For the client sent rather than the
 * socket address, so a header value could be forged to mint fresh per-IP budgets. Per-IP limits then skip
 * the request and the per-account, per-number and app-wide limits still apply.
 */
export function clientIpFrom(headers: Headers, hops = trustedProxyHops()): string | null {
  if (hops < 1) return null;
  const entries = (headers.get("x-forwarded-for") ?? "").split(",");
  if (entries.length < hops) return null;
  return parseIp(entries[entries.length - hops]);
}

/** Client IP (see clientIpFrom) and browser from request headers. */
export function requestInfoFrom(headers: Headers, hops = trustedProxyHops()): RequestInfo {
  return { ip: clientIpFrom(headers, hops), userAgent: headers.get("user-agent")?.slice(0, 300) ?? null };
}

/** The value our own proxy wrote: the last of a comma-separated header (a client can only prepend). */
function lastValue(value: string | null): string | null {
  const last = value?.split(",").pop()?.trim();
  return last || null;
}

/** A Host-style value (`name[:port]`, `[v6][:port]`) with a plausible hostname; anything else is null. */
function parseHost(value: string | null): { host: string; hostname: string } | null {
  const match = value ? /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(\d{1,5}))?$/i.exec(value.trim()) : null;
  if (!match) return null;
  const hostname = match[1].toLowerCase();
  return { hostname, host: match[2] ? `${hostname}:${match[2]}` : hostname };
}

/** X-Forwarded-Host when a proxy is trusted to set it, otherwise the Host header. */
function requestHost(headers: Headers, hops: number) {
  return (hops > 0 ? parseHost(lastValue(headers.get("x-forwarded-host"))) : null) ?? parseHost(headers.get("host"));
}

/** The host users see, for the origin-bound line of SMS codes. APP_URL wins over the request headers. */
export function appHostFrom(headers: Headers, hops = trustedProxyHops()): string {
  if (process.env.APP_URL) return new URL(process.env.APP_URL).hostname;
  return requestHost(headers, hops)?.hostname ?? "localhost";
}

/** The origin links point at (invitations): APP_URL when set, otherwise the host and scheme this request came in on. */
export function appOriginFrom(headers: Headers, hops = trustedProxyHops()): string {
  if (process.env.APP_URL) return new URL(process.env.APP_URL).origin;
  const host = requestHost(headers, hops)?.host ?? "localhost:3000";
  const https = hops > 0 && lastValue(headers.get("x-forwarded-proto")) === "https";
  return `${https ? "https" : "http"}://${host}`;
}
