"use client";
import { useTranslations } from "next-intl";

/** "7 of 10 members use multi-factor authentication", with a bar that fills to match. */
export function CoverageBar({ enabled, total }: { enabled: number; total: number }) {
  const t = useTranslations("orgSettings.coverage");
  const percent = total === 0 ? 0 : Math.round((enabled / total) * 100);
  const complete = total > 0 && enabled === total;
  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <p className="text-sm font-medium text-gray-900" id="mfa-coverage">
          {t("label", { enabled, total })}
        </p>
        <p className="text-sm text-gray-500 tabular-nums" aria-hidden="true">
          {percent}%
        </p>
      </div>
      <div
        className="mt-2 h-2.5 overflow-hidden rounded-full bg-gray-100 ring-1 ring-gray-200 ring-inset"
        role="progressbar"
        aria-labelledby="mfa-coverage"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={enabled}
        aria-valuetext={t("value", { enabled, total })}
      >
        <div className={`h-full rounded-full transition-[width] ${complete ? "bg-green-600" : "bg-blue-600"}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
