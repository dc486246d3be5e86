import { say } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

/**
 * How the organisation's security log groups and names audit events. A kind is a set of action prefixes, so an
 * action added later falls into its kind by its name ("mfa.passkey_added" is a sign-in method change) and the
 * filter never misses it; its label falls back to the action's code until it gets one here.
 */
export const EVENT_KINDS = {
  sign_in: { prefixes: ["sign_in.", "step_up."] },
  // "trusted_browser." and "trusted_browsers." (Forget all): browsers that skip the second factor.
  sessions: { prefixes: ["session.", "trusted_browser"] },
  mfa: { prefixes: ["mfa."] },
  account: { prefixes: ["user.", "password.", "email."] },
  organisation: { prefixes: ["org."] },
} as const satisfies Record<string, { prefixes: readonly string[] }>;

/** A kind's name in the current language (messages `securityLog.kinds.<kind>`). */
export function kindLabel(kind: EventKind): string {
  return say(`securityLog.kinds.${kind}`);
}

export type EventKind = keyof typeof EVENT_KINDS;
export const EVENT_KIND_KEYS = Object.keys(EVENT_KINDS) as EventKind[];

/** What happened, in words that read the same whoever looks (the actor and the subject are columns of their own): messages `securityLog.labels.<action>`. */
const LABELLED = new Set(Object.entries(ENGLISH.securityLog.labels).flatMap(([group, keys]) => Object.keys(keys).map((key) => `${group}.${key}`)));

export function eventLabel(action: string, detail?: Record<string, unknown> | null): string {
  if (action === "sign_in.succeeded" && detail?.method === "trusted_browser") return say("securityLog.trustedBrowserSignIn");
  return LABELLED.has(action) ? say(`securityLog.labels.${action}`) : action;
}

export function kindOf(action: string): EventKind | null {
  return EVENT_KIND_KEYS.find((k) => EVENT_KINDS[k].prefixes.some((p) => action.startsWith(p))) ?? null;
}

type DetailValue = string | number | boolean | null | string[];
const FIRST_KEYS = ["method", "from", "to"];

/**
 * The event's detail as a short line in the current language ("method: authenticator app · other sessions
 * ended: 2"; messages `securityLog.detailKeys`, `securityLog.methodNames`), never more than the detail holds
 * (audit rows carry no secrets: lib/audit/events.ts). A key without a name there reads as its own words.
 */
export function describeDetail(detail: Record<string, DetailValue> | null | undefined): string {
  if (!detail) return "";
  const named = (group: "detailKeys" | "methodNames", key: string) => Object.hasOwn(ENGLISH.securityLog[group], key);
  const words = (key: string) => (named("detailKeys", key) ? say(`securityLog.detailKeys.${key}`) : key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
  // jsonb keeps keys by length, not as written: read "from" before "to" again.
  const rank = (key: string) => {
    const i = FIRST_KEYS.indexOf(key);
    return i === -1 ? FIRST_KEYS.length : i;
  };
  return Object.entries(detail)
    .sort(([a], [b]) => rank(a) - rank(b))
    // Internal ids (an invitation's, a factor's) mean nothing to a reader; the row names the people.
    .filter(([k, v]) => v !== null && v !== "" && !/Id$/.test(k))
    .map(([k, v]) => {
      const value = Array.isArray(v)
        ? v.join(", ")
        : typeof v === "boolean"
          ? say(v ? "securityLog.yes" : "securityLog.no")
          : k === "method" && typeof v === "string" && named("methodNames", v)
            ? say(`securityLog.methodNames.${v}`)
            : String(v);
      return `${words(k)}: ${value}`;
    })
    .join(" · ");
}
