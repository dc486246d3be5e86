"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { buttonClass } from "@/components/ui/button-class";
import { useTranslations } from "next-intl";

const SETUP_PATH = "/account/mfa-setup";

type Props = {
  organisation: string;
  /** "14 December 2026" */
  deadline: string;
  /** "in 6 days", "tomorrow", "today" */
  when: string;
  /** The last days are urgent; a week or more ahead is a notice. */
  urgent: boolean;
};

/**
 * The grace period as a member without MFA sees it, on every page but the setup itself: the date their
 * organisation's requirement starts, and a way to set it up now. They keep working until then.
 */
export function MfaDeadlineBanner({ organisation, deadline, when, urgent }: Props) {
  const path = usePathname();
  const t = useTranslations("shell.deadline");
  if (path === SETUP_PATH) return null;
  const href = `${SETUP_PATH}?callbackUrl=${encodeURIComponent(path || "/")}`;
  return (
    <section
      aria-label={t("label")}
      className={`border-b ${urgent ? "border-amber-300 bg-amber-100" : "border-amber-200 bg-amber-50"}`}
    >
      <div className="mx-auto flex max-w-5xl flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center sm:justify-between sm:gap-6 sm:px-6">
        <div className="flex min-w-0 gap-3">
          <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="mt-0.5 size-5 shrink-0 text-amber-600">
            <path
              fillRule="evenodd"
              d="M10 1.5a.75.75 0 0 1 .32.07l6.25 2.9a.75.75 0 0 1 .43.68v4.1c0 4.04-2.6 7.4-6.8 8.93a.75.75 0 0 1-.5 0C5.5 16.65 3 13.29 3 9.25v-4.1a.75.75 0 0 1 .43-.68l6.25-2.9A.75.75 0 0 1 10 1.5Zm0 4a.75.75 0 0 0-.75.75v4a.75.75 0 0 0 1.5 0v-4A.75.75 0 0 0 10 5.5Zm0 8.5a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
              clipRule="evenodd"
            />
          </svg>
          <p className="text-sm text-amber-950">
            {t.rich("text", { organisation, deadline, when, strong: (chunks) => <strong className="font-semibold">{chunks}</strong> })}
          </p>
        </div>
        <Link href={href} className={buttonClass("primary", "shrink-0 self-start px-3.5 py-2 sm:self-auto")}>
          {t("setUp")}
        </Link>
      </div>
    </section>
  );
}
