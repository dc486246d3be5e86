import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { getCurrentSession } from "@/lib/auth/dal";
import { ORG_ERRORS } from "@/lib/org/errors";
import { findInvitation, invitedAccount } from "@/lib/org/invitations";
import { AcceptForm } from "./accept-form";
import { signOutToAcceptAction } from "./actions";
import { JoinForm } from "./join-form";

// buttonClass() lives in a client module; these are the same looks for server-rendered links and buttons.
const PRIMARY =
  "inline-flex w-full items-center justify-center rounded-lg bg-blue-600 px-4 py-2.5 text-sm font-semibold text-white shadow-xs transition hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";
const SECONDARY =
  "mt-6 inline-flex w-full items-center justify-center rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-gray-900 shadow-xs ring-1 ring-gray-300 ring-inset transition hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

// The token is in the path: no Referer carries it to anyone else.
export const metadata: Metadata = { title: "Join your team", referrer: "no-referrer" };

const TITLES = {
  invitation_invalid: "This invitation link does not work",
  invitation_expired: "This invitation has expired",
  invitation_used: "This invitation has been used",
  invitation_revoked: "This invitation was withdrawn",
} as const;

/** Open to anyone with the link (proxy.ts lists /invite as public); the token itself is the permission. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findInvitation(await getDb(), token);
  if (!invitation.ok) {
    return (
      <Card className="p-6 sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">{TITLES[invitation.error]}</h1>
        <p className="mt-2 text-sm text-gray-600">{ORG_ERRORS[invitation.error]}</p>
        <Link href="/login" className={SECONDARY}>
          Go to sign in
        </Link>
      </Card>
    );
  }
  const current = await getCurrentSession();
  const account = await invitedAccount(await getDb(), invitation.email);
  const signedInAsInvited = current?.user.email === invitation.email;
  const invitedAs = `${invitation.organisationName} invited you as ${invitation.role === "admin" ? "an admin" : "a member"}.`;
  return (
    <Card className="p-6 sm:p-8">
      <p className="text-sm font-medium text-blue-700">You are invited</p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight">Join {invitation.organisationName}</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600">
        {invitedAs}{" "}
        {account === "none"
          ? "Choose your name and a password to create your account."
          : signedInAsInvited
            ? `You are signed in as ${invitation.email}.`
            : `You already have an account for ${invitation.email}.`}
      </p>
      {signedInAsInvited && current.membership ? (
        <div className="space-y-4">
          <Alert tone="info">{ORG_ERRORS.already_in_organisation}</Alert>
          <Link href="/" className={PRIMARY}>
            Go to your home page
          </Link>
        </div>
      ) : signedInAsInvited ? (
        <div className="space-y-4">
          <JoinForm token={token} organisationName={invitation.organisationName} />
          <form action={signOutToAcceptAction} className="border-t border-gray-100 pt-4 text-center">
            <input type="hidden" name="token" value={token} />
            <button type="submit" className="rounded text-sm text-gray-600 underline-offset-2 hover:text-gray-900 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
              Not you? Sign out
            </button>
          </form>
        </div>
      ) : current ? (
        <div className="space-y-4">
          <Alert tone="info">
            You are signed in as {current.user.email}. Sign out first, then accept this invitation for {invitation.email}.
          </Alert>
          <form action={signOutToAcceptAction}>
            <input type="hidden" name="token" value={token} />
            <button type="submit" className={PRIMARY}>
              Sign out and continue
            </button>
          </form>
        </div>
      ) : account !== "none" ? (
        <Link href={`/login?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`} className={PRIMARY}>
          Sign in to join
        </Link>
      ) : (
        <AcceptForm token={token} email={invitation.email} organisationName={invitation.organisationName} />
      )}
    </Card>
  );
}
