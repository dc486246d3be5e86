import { cookies } from "next/headers";
import Link from "next/link";
import { AppHeader } from "@/components/shell/app-header";
import { MfaDeadlineBanner } from "@/components/shell/mfa-deadline-banner";
import { Alert } from "@/components/ui/alert";
import { BACKUP_LEFT_COOKIE } from "@/lib/auth/cookies";
import { requireSession } from "@/lib/auth/dal";
import { ResendButton } from "./_components/resend-verification";
import { daysUntil, formatDay, inDays } from "@/lib/org/dates";
import { mfaGraceDeadline } from "@/lib/org/policy";
import { signOutAction } from "./sign-out-action";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const current = await requireSession({ allowMfaSetup: true });
  const backupLeft = (await cookies()).get(BACKUP_LEFT_COOKIE)?.value;
  const now = new Date();
  // The organisation requires MFA from a day still ahead and this member has none: a reminder on every page.
  const deadline = mfaGraceDeadline(current, now);
  return (
    <div className="min-h-dvh">
      <AppHeader
        user={{ name: current.user.name, email: current.user.email }}
        organisationName={current.organisation?.name ?? null}
        isAdmin={current.membership?.role === "admin"}
        signOutAction={signOutAction}
      />
      {deadline && current.organisation && (
        <MfaDeadlineBanner
          organisation={current.organisation.name}
          deadline={formatDay(deadline)}
          when={inDays(daysUntil(deadline, now))}
          urgent={daysUntil(deadline, now) <= 3}
        />
      )}
      <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
        {!current.user.emailVerifiedAt && (
          <Alert tone="warning" className="mb-6">
            <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
              <p>
                <span className="font-semibold">Confirm your email address.</span> We sent a link to{" "}
                <span className="font-medium break-all">{current.user.email}</span>. Until then you cannot register a phone for text messages or invite people.
              </p>
              <ResendButton email={current.user.email} />
            </div>
          </Alert>
        )}
        {backupLeft !== undefined && /^\d+$/.test(backupLeft) && (
          <Alert tone={Number(backupLeft) <= 3 ? "warning" : "info"} className="mb-6">
            You signed in with a backup code. You have {backupLeft} backup {backupLeft === "1" ? "code" : "codes"} left.{" "}
            {Number(backupLeft) <= 3 && (
              <Link href="/account" className="font-semibold underline">
                Make new ones in My account
              </Link>
            )}
          </Alert>
        )}
        {children}
      </main>
    </div>
  );
}
