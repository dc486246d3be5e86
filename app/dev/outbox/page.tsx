import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { SubmitButton } from "@/components/ui/button";
import { getDb } from "@/db/client";
import { isEmailOutboxActive } from "@/lib/email";
import { linksIn, listEmailOutbox, type OutboxEmail, previewDocument } from "@/lib/email/dev-outbox";
import { isOutboxActive } from "@/lib/sms";
import { listOutbox } from "@/lib/sms/outbox";
import { queueSampleEmailsAction } from "./actions";

export const metadata: Metadata = { title: "Outbox (development)" };

type Tab = "email" | "sms";

const utc = (date: Date) => `${date.toISOString().replace("T", " ").slice(0, 19)} UTC`;

/**
 * The development outbox: emails and text messages kept instead of sent. Exists only while an outbox sender is
 * active, never in production (lib/email/index.ts, lib/sms/index.ts); each tab only while its channel uses
 * the outbox.
 */
export default async function OutboxPage({ searchParams }: { searchParams: Promise<{ tab?: string; queued?: string }> }) {
  await connection();
  const emailOn = isEmailOutboxActive();
  const smsOn = isOutboxActive();
  if (!emailOn && !smsOn) notFound();
  const db = await getDb();
  const [emails, messages, params] = await Promise.all([emailOn ? listEmailOutbox(db, 50) : [], smsOn ? listOutbox(db, 50) : [], searchParams]);

  // Without a choice, the tab with the newest message opens.
  const newestEmail = emails[0]?.createdAt.getTime() ?? 0;
  const newestSms = messages[0]?.createdAt.getTime() ?? 0;
  const asked = params.tab === "email" || params.tab === "sms" ? params.tab : null;
  const tab: Tab = !emailOn ? "sms" : !smsOn ? "email" : (asked ?? (newestSms > newestEmail ? "sms" : "email"));

  return (
    <main className="mx-auto max-w-4xl px-4 py-10">
      <div className="mb-6 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200 ring-inset">
        Development only. Messages are kept here instead of being sent.{" "}
        {emailOn && (
          <>
            Set <code className="font-mono">EMAIL_PROVIDER=ses</code> to send email with Amazon SES.{" "}
          </>
        )}
        {smsOn && (
          <>
            Set <code className="font-mono">SMS_PROVIDER=sns</code> to send text messages with AWS SNS.
          </>
        )}
      </div>
      <h1 className="text-2xl font-semibold tracking-tight">Outbox</h1>
      <p className="mt-1 text-sm text-gray-600">Newest first. Reload to see new messages.</p>

      <nav aria-label="Outbox" className="mt-6 flex gap-1 border-b border-gray-200">
        {emailOn && <TabLink tab="email" current={tab} label="Email" count={emails.length} />}
        {smsOn && <TabLink tab="sms" current={tab} label="Text messages" count={messages.length} />}
      </nav>

      {tab === "email" ? <EmailTab emails={emails} justQueued={params.queued === "samples"} /> : <SmsTab messages={messages} />}
    </main>
  );
}

function TabLink({ tab, current, label, count }: { tab: Tab; current: Tab; label: string; count: number }) {
  const active = tab === current;
  return (
    <Link
      href={`/dev/outbox?tab=${tab}`}
      aria-current={active ? "page" : undefined}
      className={`-mb-px inline-flex items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 ${active ? "border-blue-600 text-blue-700" : "border-transparent text-gray-600 hover:border-gray-300 hover:text-gray-900"}`}
    >
      {label}
      <span className={`rounded-full px-2 py-0.5 text-xs ${active ? "bg-blue-50 text-blue-700" : "bg-gray-100 text-gray-600"}`}>{count}</span>
    </Link>
  );
}

function EmailTab({ emails, justQueued }: { emails: OutboxEmail[]; justQueued: boolean }) {
  return (
    <section aria-labelledby="emails-heading" className="mt-6">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h2 id="emails-heading" className="text-base font-semibold text-gray-900">
          Emails
        </h2>
        <form action={queueSampleEmailsAction}>
          <SubmitButton variant="secondary" pendingLabel="Queueing…">
            Queue sample emails
          </SubmitButton>
        </form>
      </div>
      {justQueued && (
        <p role="status" className="mb-4 rounded-lg bg-blue-50 px-3.5 py-3 text-sm text-blue-800 ring-1 ring-blue-200 ring-inset">
          One sample of every email was queued to samples@example.com. They are sent after the response: reload in a moment.
        </p>
      )}
      {emails.length === 0 ? (
        <p className="rounded-xl bg-white p-6 text-sm text-gray-600 ring-1 ring-gray-200">No emails yet.</p>
      ) : (
        <ol className="space-y-4" aria-label="Emails">
          {emails.map((email, index) => (
            <EmailItem key={email.id} email={email} open={index === 0} />
          ))}
        </ol>
      )}
    </section>
  );
}

const STATUS: Record<OutboxEmail["status"], { label: string; tone: string }> = {
  sent: { label: "Delivered to outbox", tone: "bg-green-50 text-green-800 ring-green-200" },
  pending: { label: "Queued", tone: "bg-gray-100 text-gray-700 ring-gray-200" },
  sending: { label: "Sending", tone: "bg-blue-50 text-blue-800 ring-blue-200" },
  failed: { label: "Failed", tone: "bg-red-50 text-red-800 ring-red-200" },
};

function EmailItem({ email, open }: { email: OutboxEmail; open: boolean }) {
  const status = STATUS[email.status];
  const links = email.html ? linksIn(email.html) : [];
  const subject = email.subject ?? `(${email.template.replace(/_/g, " ")}, not rendered yet)`;
  return (
    <li data-email="" data-to={email.to} data-status={email.status} data-template={email.template} data-subject={email.subject ?? ""} className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-gray-200">
      <div className="px-4 py-3 sm:px-5">
        <div className="flex flex-wrap items-start justify-between gap-2">
          <h3 className="min-w-0 text-sm font-semibold break-words text-gray-900">{subject}</h3>
          <span className={`shrink-0 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${status.tone}`}>{status.label}</span>
        </div>
        <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-gray-500">
          <div className="min-w-0 break-all">
            <dt className="inline">To </dt>
            <dd className="inline font-mono text-gray-900">{email.to}</dd>
          </div>
          <div>
            <dt className="sr-only">Queued at</dt>
            <dd>
              <time dateTime={email.createdAt.toISOString()}>{utc(email.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt className="inline">Template </dt>
            <dd className="inline font-mono">{email.template}</dd>
          </div>
        </dl>
        {email.status !== "sent" && (email.lastError || email.attempts > 0) && (
          <p className="mt-2 text-xs text-gray-600">
            {email.attempts} attempt{email.attempts === 1 ? "" : "s"}
            {email.lastError && (
              <>
                {" "}
                · last error <span className="font-mono text-red-700">{email.lastError}</span>
              </>
            )}
            {email.status === "pending" && <> · next try {utc(email.nextAttemptAt)}</>}
          </p>
        )}
        {links.length > 0 && (
          <ul aria-label="Links in this email" className="mt-2 space-y-1">
            {links.map((href) => (
              <li key={href} className="text-xs break-all">
                <a href={href} data-email-link="" className="text-blue-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
                  {href}
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
      {email.html && (
        <details open={open} className="group border-t border-gray-100">
          <summary className="cursor-pointer px-4 py-2.5 text-xs font-medium text-gray-600 hover:bg-gray-50 hover:text-gray-900 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-600 sm:px-5">
            Email as the recipient sees it
          </summary>
          {/* No scripts, no same-origin access: the email can only show itself and open its links in this window. */}
          <iframe title={`Email: ${subject}`} srcDoc={previewDocument(email.html)} sandbox="allow-top-navigation-by-user-activation" className="block h-[36rem] w-full border-0 bg-gray-50" />
        </details>
      )}
      {email.text && (
        <details className="border-t border-gray-100">
          <summary className="cursor-pointer px-4 py-2.5 text-xs font-medium text-gray-600 hover:bg-gray-50 hover:text-gray-900 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-600 sm:px-5">
            Plain-text part
          </summary>
          <pre data-email-text="" className="mx-4 mb-4 max-h-96 overflow-auto rounded-lg bg-gray-50 p-3 font-mono text-xs whitespace-pre-wrap text-gray-800 ring-1 ring-gray-200 sm:mx-5">
            {email.text}
          </pre>
        </details>
      )}
    </li>
  );
}

function SmsTab({ messages }: { messages: Awaited<ReturnType<typeof listOutbox>> }) {
  return (
    <section aria-labelledby="sms-heading" className="mt-6">
      <h2 id="sms-heading" className="mb-4 text-base font-semibold text-gray-900">
        Text messages
      </h2>
      {messages.length === 0 ? (
        <p className="rounded-xl bg-white p-6 text-sm text-gray-600 ring-1 ring-gray-200">No messages yet.</p>
      ) : (
        <ol className="space-y-3" aria-label="Messages">
          {messages.map((m) => (
            <li key={m.id} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-gray-200">
              <div className="flex flex-wrap items-baseline justify-between gap-2 text-xs text-gray-500">
                <span>
                  To <span className="font-mono text-gray-900">{m.to}</span>
                </span>
                <time dateTime={m.createdAt.toISOString()}>{utc(m.createdAt)}</time>
              </div>
              <p className="mt-2 text-sm whitespace-pre-wrap text-gray-900">{m.body}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
