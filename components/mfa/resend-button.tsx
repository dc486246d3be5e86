"use client";
import { useCountdown } from "./use-countdown";
import { useTranslations } from "next-intl";

/** "Resend code", offered only once the countdown since the last send has run out. */
export function ResendButton({ availableAt, onResend, pending }: { availableAt: number | null; onResend: () => void; pending?: boolean }) {
  const t = useTranslations("codes");
  const seconds = useCountdown(availableAt);
  if (seconds > 0)
    return (
      <p className="text-sm text-gray-500" aria-live="polite">
        {t.rich("resendIn", { seconds, count: (chunks) => <span className="font-medium tabular-nums text-gray-700" suppressHydrationWarning>{chunks}</span> })}
      </p>
    );
  return (
    <button
      type="button"
      onClick={onResend}
      disabled={pending}
      className="rounded text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:text-gray-400"
    >
      {pending ? t("sending") : t("resend")}
    </button>
  );
}
