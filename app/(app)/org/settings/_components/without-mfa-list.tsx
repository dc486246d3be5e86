"use client";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import { type OrgState, remindMembersAction } from "../actions";

export type PersonWithoutMfa = { userId: string; name: string; email: string; isYou: boolean; remindedToday: boolean };

/**
 * Who still has no second factor while the organisation requires one, each with "Remind", and "Remind all":
 * an email with the deadline and a link to the setup. Each member gets at most one reminder a day (scheduled
 * ones included), and the presses are limited per organisation (lib/org/mfa-reminders.ts).
 */
export function WithoutMfaList({ people }: { people: PersonWithoutMfa[] }) {
  const t = useTranslations("orgSettings.withoutMfa");
  const [state, remindAll] = useActionState(remindMembersAction, { status: "idle" } as OrgState);
  const others = people.filter((p) => !p.isYou);
  const waiting = others.filter((p) => !p.remindedToday).length;
  return (
    <section aria-labelledby="without-mfa-heading" className="rounded-lg ring-1 ring-gray-200 ring-inset">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-gray-100 px-4 py-3">
        <div>
          <h3 id="without-mfa-heading" className="text-sm font-semibold text-gray-900">
            {t("title", { count: people.length })}
          </h3>
          <p className="text-xs text-gray-600">{t("hint")}</p>
        </div>
        {others.length > 0 && (
          <form action={remindAll}>
            <SubmitButton variant="secondary" className="px-3 py-1.5" pendingLabel={t("sending")} disabled={waiting === 0}>
              {t("remindAll")}
            </SubmitButton>
          </form>
        )}
      </div>
      <Outcome state={state} />
      <ul className="max-h-72 divide-y divide-gray-100 overflow-y-auto" aria-labelledby="without-mfa-heading">
        {people.map((p) => (
          <li key={p.userId} className="flex items-center justify-between gap-3 px-4 py-2.5">
            <div className="min-w-0">
              <p className="truncate text-sm font-medium text-gray-900">
                {p.name}
                {p.isYou && <span className="ml-1.5 font-normal text-gray-500">{t("you")}</span>}
              </p>
              <p className="truncate text-xs text-gray-500">{p.email}</p>
            </div>
            {!p.isYou && <RemindOne person={p} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function RemindOne({ person }: { person: PersonWithoutMfa }) {
  const t = useTranslations("orgSettings.withoutMfa");
  const [state, remind] = useActionState(remindMembersAction, { status: "idle" } as OrgState);
  if (person.remindedToday || state.status === "success")
    return <span className="shrink-0 rounded-full bg-gray-100 px-2 py-0.5 text-xs font-medium text-gray-600">{t("reminded")}</span>;
  return (
    <form action={remind} className="flex shrink-0 items-center gap-2">
      <input type="hidden" name="userId" value={person.userId} />
      {state.status === "error" && (
        <span role="alert" className="max-w-48 text-right text-xs text-red-700">
          {state.message}
        </span>
      )}
      <SubmitButton variant="secondary" className="px-2.5 py-1 text-xs" pendingLabel={t("sending")} aria-label={t("remindLabel", { name: person.name })}>
        {t("remind")}
      </SubmitButton>
    </form>
  );
}

function Outcome({ state }: { state: OrgState }) {
  const t = useTranslations("common");
  if (state.status === "idle") return null;
  const tone = state.status === "success" ? "success" : "error";
  const message = state.status === "success" ? state.message : (state.message ?? t("didNotWork"));
  return (
    <div className="px-4 pt-3">
      <Alert tone={tone}>{message}</Alert>
    </div>
  );
}
