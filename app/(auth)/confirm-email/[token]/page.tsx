import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button-class";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { findEmailChangeLink } from "@/lib/auth/email-change";
import { maskEmail } from "@/lib/email/mask";
import { ConfirmEmailForm } from "./confirm-form";

export const metadata: Metadata = { title: "Confirm your new email address" };

const PROBLEMS = {
  expired: { title: "This link has expired", body: "Links to confirm a new address work for 24 hours. Ask for the change again in My account." },
  used: {
    title: "This link no longer works",
    body: "It was used already, replaced by a newer request, or cancelled (a password change cancels it too). Ask for the change again in My account.",
  },
  invalid: { title: "This link does not work", body: "Check that you opened the whole link from the email, or ask for the change again in My account." },
} as const;

/**
 * The link sent to a new address. Opening it only shows what would change; the button confirms (a mail
 * scanner fetching the link changes nothing). The token stays in this page's URL, which sends no Referer
 * (next.config.js), and works once.
 */
export default async function ConfirmEmailPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await findEmailChangeLink(await getDb(), token);
  if (!link.ok) {
    const problem = PROBLEMS[link.problem];
    return (
      <Card className="p-6 sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">{problem.title}</h1>
        <p className="mt-2 text-sm text-gray-600">{problem.body}</p>
        <p className="mt-2 text-sm text-gray-600">Your email address has not been changed.</p>
        <div className="mt-6">
          <Link href="/account" className={buttonClass("primary", "w-full")}>
            Go to My account
          </Link>
        </div>
      </Card>
    );
  }
  return (
    <Card className="p-6 sm:p-8">
      <ConfirmEmailForm token={token} newEmail={link.newEmail} currentEmail={maskEmail(link.currentEmail)} />
    </Card>
  );
}
