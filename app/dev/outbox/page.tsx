import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { getDb } from "@/db/client";
import { isOutboxActive } from "@/lib/sms";
import { listOutbox } from "@/lib/sms/outbox";

export const metadata: Metadata = { title: "SMS outbox (development)" };

/** The dev SMS outbox: exists only while the outbox sender is active, never in production. */
export default async function OutboxPage() {
  await connection();
  if (!isOutboxActive()) notFound();
  const messages = await listOutbox(await getDb(), 50);
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <div className="mb-6 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200 ring-inset">
        Development only. Text messages are kept here instead of being sent. Set <code className="font-mono">SMS_PROVIDER=sns</code> to send them with AWS SNS.
      </div>
      <h1 className="text-2xl font-semibold tracking-tight">SMS outbox</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600">Newest first. Reload to see new messages.</p>
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
                <time dateTime={m.createdAt.toISOString()}>{m.createdAt.toISOString().replace("T", " ").slice(0, 19)} UTC</time>
              </div>
              <p className="mt-2 text-sm whitespace-pre-wrap text-gray-900">{m.body}</p>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
