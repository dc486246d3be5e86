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
import { getT, requestLocale } from "@/lib/auth/locale";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const current = await requireSession({ allowMfaSetup: true });
  const [t, locale] = await Promise.all([getT("shell"), requestLocale()]);
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
          deadline={formatDay(deadline, locale)}
          when={inDays(daysUntil(deadline, now), locale)}
          urgent={daysUntil(deadline, now) <= 3}
        />
      )}
      <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
        {!current.user.emailVerifiedAt && (
          <Alert tone="warning" className="mb-6">
            <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
              <p>
                {t.rich("confirmEmail", {
                  email: current.user.email,
                  strong: (chunks) => <span className="font-semibold">{chunks}</span>,
                  address: (chunks) => <span className="font-medium break-all">{chunks}</span>,
                })}
              </p>
              <ResendButton email={current.user.email} />
            </div>
          </Alert>
        )}
        {backupLeft !== undefined && /^\d+$/.test(backupLeft) && (
          <Alert tone={Number(backupLeft) <= 3 ? "warning" : "info"} className="mb-6">
            {t("backupLeft", { count: Number(backupLeft) })}{" "}
            {Number(backupLeft) <= 3 && (
              <Link href="/account" className="font-semibold underline">
                {t("makeNewCodes")}
              </Link>
            )}
          </Alert>
        )}
        {children}
      </main>
    </div>
  );
}
