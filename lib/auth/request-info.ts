import type { RequestInfo } from "@/lib/audit/events";

/** Client IP and browser from request headers; the first X-Forwarded-For hop is the client behind a proxy. */
export function requestInfoFrom(headers: Headers): RequestInfo {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || headers.get("x-real-ip") || null;
  return { ip: ip ? ip.slice(0, 64) : null, userAgent: headers.get("user-agent")?.slice(0, 300) ?? null };
}

/** The host users see, for the origin-bound line of SMS codes. APP_URL wins over the Host header. */
export function appHostFrom(headers: Headers): string {
  if (process.env.APP_URL) return new URL(process.env.APP_URL).hostname;
  const host = headers.get("x-forwarded-host") ?? headers.get("host") ?? "localhost";
  return host.replace(/:\d+$/, "");
}
