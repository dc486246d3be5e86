import Link from "next/link";
import { buttonClass } from "@/components/ui/button-class";
import { getT } from "@/lib/auth/locale";

export type LinkProblemKind = "invalid" | "expired" | "used" | "missing" | "locked";


function WarningIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.75" className="size-6" aria-hidden="true">
      <path d="M12 9v4m0 3.5h.01M10.3 4.2 2.8 17.4A2 2 0 0 0 4.5 20.4h15a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0Z" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** A reset link that cannot be used: why, and the way forward. Nothing was changed. */
export async function LinkProblem({ problem, minutes }: { problem: LinkProblemKind; minutes: number }) {
  const t = await getT("reset.problem");
  const title = t(`${problem}.title`);
  const body = t(`${problem}.body`, { minutes });
  return (
    <div>
      <div className="mb-4 flex size-11 items-center justify-center rounded-full bg-amber-50 text-amber-700 ring-1 ring-amber-100">
        <WarningIcon />
      </div>
      <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-2 text-sm text-gray-600">{body}</p>
      <p className="mt-2 text-sm text-gray-600">{t("unchanged")}</p>
      <div className="mt-6 flex flex-col gap-3 sm:flex-row-reverse sm:items-center sm:justify-between">
        <Link href="/forgot-password" className={buttonClass("primary")}>
          {t("again")}
        </Link>
        <Link href="/login" className="rounded text-center text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
          {t("back")}
        </Link>
      </div>
    </div>
  );
}
