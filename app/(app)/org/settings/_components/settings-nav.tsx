import Link from "next/link";
import { getT } from "@/lib/auth/locale";

const TABS = [
  { key: "general", href: "/org/settings" },
  { key: "security-log", href: "/org/settings/security-log" },
] as const;

/** The organisation settings' sections, as tabs of links (each a page of its own, so they work without JavaScript). */
export async function SettingsNav({ current }: { current: (typeof TABS)[number]["key"] }) {
  const t = await getT("orgSettings.nav");
  return (
    <nav aria-label={t("label")} className="border-b border-gray-200">
      <ul className="-mb-px flex gap-6">
        {TABS.map((tab) => (
          <li key={tab.key}>
            <Link
              href={tab.href}
              aria-current={tab.key === current ? "page" : undefined}
              className={`inline-block border-b-2 px-0.5 pb-3 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 ${
                tab.key === current ? "border-blue-600 text-blue-700" : "border-transparent text-gray-600 hover:border-gray-300 hover:text-gray-900"
              }`}
            >
              {t(tab.key)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
