import { SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { describeBrowser } from "@/lib/account/user-agent";
import { forgetAllTrustedBrowsersAction, forgetTrustedBrowserAction } from "../trusted-browsers-actions";
import { getDateFormat, getT, requestLocale } from "@/lib/auth/locale";

type TrustedBrowser = { id: string; userAgent: string | null; createdAt: Date; lastUsedAt: Date; until: Date; current: boolean };

/** Browsers that skip the second factor after the password ("Don't ask again on this browser"), each with Forget. */
export async function TrustedBrowsersCard({ browsers }: { browsers: TrustedBrowser[] }) {
  const [t, dayFormat, locale] = await Promise.all([getT("trustedBrowsers"), getDateFormat({ day: "numeric", month: "long", year: "numeric" }), requestLocale()]);
  const formatDay = (d: Date) => dayFormat.format(d);
  return (
    <Card>
      <CardHeader
        title={t("title")}
        description={t("description")}
      />
      {browsers.length === 0 ? (
        <p className="px-5 py-4 text-sm text-gray-600 sm:px-6">
          {t("none")}
        </p>
      ) : (
        <ul className="divide-y divide-gray-100" aria-label={t("title")}>
          {browsers.map((b) => (
            <li key={b.id} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3.5 sm:px-6">
              <div className="min-w-0">
                <p className="text-sm font-medium text-gray-900">
                  {describeBrowser(b.userAgent, locale)}
                  {b.current && (
                    <span className="ml-2 rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium text-green-700 ring-1 ring-green-200 ring-inset">
                      {t("thisBrowser")}
                    </span>
                  )}
                </p>
                <p className="text-xs text-gray-500">
                  {t("dates", { trusted: formatDay(b.createdAt), used: formatDay(b.lastUsedAt), until: formatDay(b.until) })}
                </p>
              </div>
              <form action={forgetTrustedBrowserAction}>
                <input type="hidden" name="id" value={b.id} />
                <SubmitButton
                  variant="secondary"
                  className="px-3 py-1.5 text-xs"
                  pendingLabel={t("forgetting")}
                  aria-label={b.current ? t("forgetThisLabel", { browser: describeBrowser(b.userAgent, locale) }) : t("forgetLabel", { browser: describeBrowser(b.userAgent, locale) })}
                >
                  {t("forget")}
                </SubmitButton>
              </form>
            </li>
          ))}
        </ul>
      )}
      {browsers.length > 1 && (
        <form action={forgetAllTrustedBrowsersAction} className="border-t border-gray-100 px-5 py-4 sm:px-6">
          <SubmitButton variant="secondary" pendingLabel={t("forgetting")}>
            {t("forgetAll")}
          </SubmitButton>
        </form>
      )}
    </Card>
  );
}
