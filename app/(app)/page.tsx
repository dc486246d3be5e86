import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { requireSession } from "@/lib/auth/dal";
import { formatDay } from "@/lib/org/dates";
import { requirementEnforced, policyOf } from "@/lib/org/policy";
import { NoOrganisation } from "./_components/no-organisation";
import { getT, requestLocale } from "@/lib/auth/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("home"))("metaTitle") };
}

export default async function HomePage() {
  const { user, organisation, membership } = await requireSession();
  const firstName = user.name.split(/\s+/)[0] || user.email;
  const [t, locale] = await Promise.all([getT("home"), requestLocale()]);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("welcome", { name: firstName })}</h1>
        <p className="mt-1 text-sm text-gray-600">
          {organisation
            ? t(membership?.role === "admin" ? "admin" : "member", { organisation: organisation.name })
            : t("noOrganisation")}
        </p>
      </div>
      {!organisation && <NoOrganisation email={user.email} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Card className="p-5">
          <h2 className="text-sm font-semibold text-gray-900">{t("security")}</h2>
          <p className="mt-1 text-sm text-gray-600">
            {user.mfaEnabled
              ? t("mfaOn")
              : t("mfaOff")}
          </p>
          <Link href="/account" className="mt-3 inline-block text-sm font-semibold text-blue-700 hover:text-blue-800">
            {user.mfaEnabled ? t("manage") : t("setUp")} <span aria-hidden="true">→</span>
          </Link>
        </Card>
        {organisation && (
          <Card className="p-5">
            <h2 className="text-sm font-semibold text-gray-900">{organisation.name}</h2>
            <p className="mt-1 text-sm text-gray-600">
              {!organisation.mfaRequired
                ? t("notRequired")
                : requirementEnforced(policyOf(organisation), new Date()) || !organisation.mfaEnforcedFrom
                  ? t("required")
                  : t("requiredFrom", { day: formatDay(organisation.mfaEnforcedFrom, locale) })}
            </p>
          </Card>
        )}
      </div>
    </div>
  );
}
