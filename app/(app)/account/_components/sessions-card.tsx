import { SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { describeBrowser } from "@/lib/account/user-agent";
import { revokeOtherSessionsAction, revokeSessionAction } from "../actions";
import { getT, requestLocale } from "@/lib/auth/locale";

type SessionRow = { id: string; ip: string | null; userAgent: string | null; lastSeenAt: Date; createdAt: Date };

type T = Awaited<ReturnType<typeof getT<"sessions">>>;

function when(t: T, date: Date, now: Date) {
  const minutes = Math.round((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 2) return t("activeNow");
  if (minutes < 60) return t("activeMinutes", { count: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return t("activeHours", { count: hours });
  return t("activeDays", { count: Math.round(hours / 24) });
}

export async function SessionsCard({ sessions, currentId, now }: { sessions: SessionRow[]; currentId: string; now: Date }) {
  const [t, locale] = await Promise.all([getT("sessions"), requestLocale()]);
  const others = sessions.filter((s) => s.id !== currentId).length;
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <ul className="divide-y divide-gray-100">
        {sessions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3.5 sm:px-6">
            <div className="min-w-0">
              <p className="text-sm font-medium text-gray-900">
                {describeBrowser(s.userAgent, locale)}
                {s.id === currentId && (
                  <span className="ml-2 rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium text-green-700 ring-1 ring-green-200 ring-inset">
                    {t("thisBrowser")}
                  </span>
                )}
              </p>
              <p className="text-xs text-gray-500">
                {s.ip ?? t("unknownIp")} · {when(t, s.lastSeenAt, now)}
              </p>
            </div>
            {s.id !== currentId && (
              <form action={revokeSessionAction}>
                <input type="hidden" name="sessionId" value={s.id} />
                <SubmitButton variant="secondary" className="px-3 py-1.5 text-xs" pendingLabel={t("signingOut")}>
                  {t("signOut")}
                </SubmitButton>
              </form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 && (
        <form action={revokeOtherSessionsAction} className="border-t border-gray-100 px-5 py-4 sm:px-6">
          <SubmitButton variant="secondary" pendingLabel={t("signingOut")}>
            {t("signOutOthers")}
          </SubmitButton>
        </form>
      )}
    </Card>
  );
}
