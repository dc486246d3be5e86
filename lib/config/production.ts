import { parseMailbox } from "@/lib/email/address";

type Env = Record<string, string | undefined>;

/** Whether a URL names this machine only: 127.0.0.0/8, localhost or [::1]. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function appUrlOf(env: Env): URL | null {
  try {
    const url = new URL(env.APP_URL ?? "");
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

/** A test-only switch counts as set unless it is empty or "false". */
const isSet = (value: string | undefined) => Boolean(value?.trim()) && value?.trim() !== "false";

/**
 * The settings a production server refuses to start with, one sentence each (empty: none, or not production).
 * Each one is safe only in development or in a test on this machine: a public server that took its address
 * from the Host header, kept codes or links in an outbox while saying "sent", or served the outbox page or the
 * benchmark routes would hand an attacker codes, links or a way in.
 */
export function unsafeProductionSettings(env: Env = process.env): string[] {
  if (env.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  const appUrl = appUrlOf(env);
  const loopback = appUrl !== null && isLoopbackUrl(appUrl);
  if (!env.APP_URL?.trim())
    problems.push(
      "APP_URL is not set. Set it to the address users open, e.g. https://accounts.example.com: without it, invitation links and the SMS autofill line would take the host from the request, which the client chooses.",
    );
  else if (!appUrl) problems.push(`APP_URL is not an http(s) URL. Set it to the address users open, e.g. https://accounts.example.com.`);

  // Compared as written, as smsProvider() does: " sns" would silently mean the outbox.
  const provider = env.SMS_PROVIDER ?? "";
  if (!provider)
    problems.push(
      "SMS_PROVIDER is not set. Set SMS_PROVIDER=sns (with the AWS variables): without a provider, codes would stay in the outbox table while users are told they were sent.",
    );
  else if (provider === "outbox") {
    if (env.ALLOW_DEV_OUTBOX !== "true" || !loopback)
      problems.push(
        "SMS_PROVIDER=outbox keeps codes in a table instead of sending them. Use SMS_PROVIDER=sns; the outbox is allowed in production only for tests, with ALLOW_DEV_OUTBOX=true and a loopback APP_URL (e.g. http://127.0.0.1:3000).",
      );
  } else if (provider !== "sns") problems.push(`SMS_PROVIDER=${provider.slice(0, 40)} is not a provider. Use SMS_PROVIDER=sns.`);

  // The same rule for email (lib/email/index.ts): compared as written, "SES" would silently mean the outbox.
  const emailProvider = env.EMAIL_PROVIDER ?? "";
  if (!emailProvider)
    problems.push(
      "EMAIL_PROVIDER is not set. Set EMAIL_PROVIDER=ses with EMAIL_FROM (and the AWS variables): without a provider, password resets, invitations and security notices would stay in the outbox table.",
    );
  else if (emailProvider === "outbox") {
    if (env.ALLOW_DEV_OUTBOX !== "true" || !loopback)
      problems.push(
        "EMAIL_PROVIDER=outbox keeps emails in a table instead of sending them. Use EMAIL_PROVIDER=ses; the outbox is allowed in production only for tests, with ALLOW_DEV_OUTBOX=true and a loopback APP_URL.",
      );
  } else if (emailProvider !== "ses") problems.push(`EMAIL_PROVIDER=${emailProvider.slice(0, 40)} is not a provider. Use EMAIL_PROVIDER=ses.`);
  else if (!parseMailbox(env.EMAIL_FROM))
    problems.push(
      'EMAIL_FROM is not set, or is not an address. Set it to a sender on a domain verified in SES, e.g. EMAIL_FROM="Feedback Accounts <no-reply@example.com>".',
    );

  if (!loopback) {
    if (isSet(env.ALLOW_DEV_OUTBOX))
      problems.push(
        "ALLOW_DEV_OUTBOX is set, but APP_URL is not a loopback address: it shows every text message and email at /dev/outbox, for tests on this machine only. Remove it.",
      );
    if (isSet(env.BENCH_ROUTES))
      problems.push("BENCH_ROUTES is set, but APP_URL is not a loopback address: the benchmark routes are for `npm run bench` on this machine only. Remove it.");
  }
  return problems;
}
