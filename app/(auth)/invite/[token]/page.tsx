import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { getCurrentSession } from "@/lib/auth/dal";
import { getT, inRequestLanguage } from "@/lib/auth/locale";
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
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("invite"))("metaTitle"), referrer: "no-referrer" };
}

/** Open to anyone with the link (proxy.ts lists /invite as public); the token itself is the permission. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findInvitation(await getDb(), token);
  const t = await getT("invite");
  // ORG_ERRORS reads its sentences in the work's language: the request's here.
  const orgError = (error: keyof typeof ORG_ERRORS) => inRequestLanguage(() => ORG_ERRORS[error]);
  if (!invitation.ok) {
    return (
      <Card className="p-6 sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">{t(`problems.${invitation.error}`)}</h1>
        <p className="mt-2 text-sm text-gray-600">{await orgError(invitation.error)}</p>
        <Link href="/login" className={SECONDARY}>
          {t("goToSignIn")}
        </Link>
      </Card>
    );
  }
  const current = await getCurrentSession();
  const account = await invitedAccount(await getDb(), invitation.email);
  const signedInAsInvited = current?.user.email === invitation.email;
  const invitedAs = t(invitation.role === "admin" ? "invitedAdmin" : "invitedMember", { organisation: invitation.organisationName });
  return (
    <Card className="p-6 sm:p-8">
      <p className="text-sm font-medium text-blue-700">{t("invited")}</p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight">{t("join", { organisation: invitation.organisationName })}</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600">
        {invitedAs}{" "}
        {account === "none"
          ? t("create")
          : signedInAsInvited
            ? t("signedInAs", { email: invitation.email })
            : t("haveAccount", { email: invitation.email })}
      </p>
      {signedInAsInvited && current.membership ? (
        <div className="space-y-4">
          <Alert tone="info">{await orgError("already_in_organisation")}</Alert>
          <Link href="/" className={PRIMARY}>
            {t("home")}
          </Link>
        </div>
      ) : signedInAsInvited ? (
        <div className="space-y-4">
          <JoinForm token={token} organisationName={invitation.organisationName} />
          <form action={signOutToAcceptAction} className="border-t border-gray-100 pt-4 text-center">
            <input type="hidden" name="token" value={token} />
            <button type="submit" className="rounded text-sm text-gray-600 underline-offset-2 hover:text-gray-900 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
              {t("notYou")}
            </button>
          </form>
        </div>
      ) : current ? (
        <div className="space-y-4">
          <Alert tone="info">
            {t("signOutFirst", { current: current.user.email, email: invitation.email })}
          </Alert>
          <form action={signOutToAcceptAction}>
            <input type="hidden" name="token" value={token} />
            <button type="submit" className={PRIMARY}>
              {t("signOut")}
            </button>
          </form>
        </div>
      ) : account !== "none" ? (
        <Link href={`/login?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`} className={PRIMARY}>
          {t("signIn")}
        </Link>
      ) : (
        <AcceptForm token={token} email={invitation.email} organisationName={invitation.organisationName} />
      )}
    </Card>
  );
}
