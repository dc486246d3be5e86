"use client";
import { useLocale, useTranslations } from "next-intl";
import { useActionState, useEffect, useMemo, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Switch } from "@/components/ui/switch";
import { FORMAT_LOCALES } from "@/lib/i18n/locales";
import type { MfaMethodsSetting } from "@/lib/org/policy";
import { type OrgState, setMfaRequirementAction } from "../actions";
import { CoverageBar } from "./coverage-bar";
import { MfaMethodsForm } from "./mfa-methods-form";
import { TrustedBrowsersForm } from "./trusted-browsers-form";
import { type PersonWithoutMfa, WithoutMfaList } from "./without-mfa-list";
import { useStepUpForm } from "./step-up-gate";
import { useInitialFocus } from "./use-initial-focus";

type Props = {
  required: boolean;
  requiredSince: string | null;
  /** With `required`: when members without MFA start being held (ISO); null: since it was required. */
  enforcedFrom: string | null;
  /** The deadline is still ahead (decided on the server, with its clock). */
  inGrace: boolean;
  methods: MfaMethodsSetting;
  coverage: { enabled: number; total: number };
  withoutMfa: PersonWithoutMfa[];
  /** "Let members skip MFA on trusted browsers for": 0 (off), 1, 7 or 30 days. */
  trustedBrowserDays: number;
};

const DAY_MS = 86_400_000;

/** A deadline's day in the page's language, in UTC like the deadline itself (lib/org/dates.ts). */
function useFormatDay() {
  const locale = useLocale();
  return useMemo(() => {
    const format = new Intl.DateTimeFormat(FORMAT_LOCALES[locale], { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    return (d: Date | string) => format.format(new Date(d));
  }, [locale]);
}
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));


export function MfaPolicyCard({ required, requiredSince, enforcedFrom, inGrace, methods, coverage, withoutMfa, trustedBrowserDays }: Props) {
  const t = useTranslations("orgSettings.policy");
  const formatDay = useFormatDay();
  // What the policy allows, in the words members read: the methods, not "a phone".
  const allowed = t(`methodsInWords.${methods}`);
  const [dialog, setDialog] = useState<null | "on" | "off" | "change">(null);
  const [message, setMessage] = useState<string | null>(null);
  const sinceDay = enforcedFrom || requiredSince;
  const openChange = () => {
    setMessage(null);
    setDialog("change");
  };
  return (
    <Card>
      <CardHeader
        title={t("title")}
        description={t("description", { methods: allowed })}
      />
      <div className="space-y-5 px-5 py-5 sm:px-6">
        {message && <Alert tone="success">{message}</Alert>}
        <CoverageBar enabled={coverage.enabled} total={coverage.total} />
        <div className="rounded-lg bg-gray-50 px-4 py-4 ring-1 ring-gray-200 ring-inset">
          <Switch
            id="require-mfa"
            label={t("switch")}
            checked={required}
            describedBy="require-mfa-help"
            onChange={(next) => {
              setMessage(null);
              setDialog(next ? "on" : "off");
            }}
          />
          {required && inGrace && enforcedFrom ? (
            <div className="mt-3 flex flex-wrap items-center justify-between gap-3 rounded-md bg-amber-50 px-3 py-2.5 ring-1 ring-amber-200 ring-inset">
              <p id="require-mfa-help" className="text-sm text-amber-950">
                {t.rich("grace", { day: formatDay(enforcedFrom), strong: (chunks) => <span className="font-semibold">{chunks}</span> })}
              </p>
              <Button variant="secondary" className="px-3 py-1.5" onClick={openChange}>
                {t("changeDate")}
              </Button>
            </div>
          ) : (
            <div className="mt-2 flex flex-wrap items-start justify-between gap-3">
              <p id="require-mfa-help" className="text-sm text-gray-600">
                {required
                  ? sinceDay
                    ? t("requiredSince", { day: formatDay(sinceDay) })
                    : t("required")
                  : t("off", { methods: allowed })}
              </p>
              {required && (
                <Button variant="secondary" className="px-3 py-1.5" onClick={openChange}>
                  {t("changeDate")}
                </Button>
              )}
            </div>
          )}
        </div>
        {required && withoutMfa.length > 0 && <WithoutMfaList people={withoutMfa} />}
        <MfaMethodsForm methods={methods} />
        <TrustedBrowsersForm days={trustedBrowserDays} />
      </div>
      <Dialog
        open={dialog !== null}
        onClose={() => setDialog(null)}
        title={dialog === "off" ? t("titles.off") : dialog === "change" ? t("titles.change") : t("titles.on")}
      >
        {dialog && (
          <RequirementForm
            mode={dialog}
            methods={methods}
            enforcedFrom={inGrace ? enforcedFrom : null}
            withoutMfa={withoutMfa}
            onCancel={() => setDialog(null)}
            onDone={(text) => {
              setDialog(null);
              setMessage(text);
            }}
          />
        )}
      </Dialog>
    </Card>
  );
}

type When = "now" | "7" | "14" | "30" | "date";

/** The chosen start as a day (UTC), or null for now; the server computes it again from the same choice. */
function chosenDay(when: When, date: string, now: Date): Date | null {
  if (when === "now") return null;
  if (when === "date") return /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : null;
  return new Date(startOfUtcDay(now).getTime() + Number(when) * DAY_MS);
}

function RequirementForm({
  mode,
  methods,
  enforcedFrom,
  withoutMfa,
  onCancel,
  onDone,
}: {
  mode: "on" | "off" | "change";
  methods: MfaMethodsSetting;
  /** The current deadline while it is ahead (changing it starts from there). */
  enforcedFrom: string | null;
  withoutMfa: PersonWithoutMfa[];
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const t = useTranslations("orgSettings.policy");
  const tc = useTranslations("common");
  const formatDay = useFormatDay();
  const allowed = t(`methodsInWords.${methods}`);
  const [state, action] = useActionState(setMfaRequirementAction, { status: "idle" } as OrgState);
  const turnOn = mode !== "off";
  const [now] = useState(() => new Date());
  const [when, setWhen] = useState<When>(mode === "change" && enforcedFrom ? "date" : "now");
  const [date, setDate] = useState(mode === "change" && enforcedFrom ? isoDay(new Date(enforcedFrom)) : "");
  const fieldErrors = state.status === "error" ? state.fieldErrors : undefined;
  const error = state.status === "error" && !state.stepUp && !fieldErrors?.date ? (fieldErrors?.required ?? fieldErrors?.when ?? state.message) : null;
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    if (state.status === "success") done.current(state.message);
  }, [state]);
  const day = chosenDay(when, date, now);
  const stepUp = useStepUpForm(
    !turnOn ? t("stepUp.off") : mode === "change" ? t("stepUp.change") : t("stepUp.on"),
    state,
    { inline: true },
  );
  const youToo = withoutMfa.some((p) => p.isYou);
  const tomorrow = isoDay(new Date(startOfUtcDay(now).getTime() + DAY_MS));
  const lastDay = isoDay(new Date(now.getTime() + 365 * DAY_MS));
  // Turning it off is the weaker choice, so Cancel has focus first there; otherwise the confirmation.
  useInitialFocus(turnOn ? "require-mfa-confirm" : "require-mfa-cancel");
  const options: { value: When; label: string; hint: string }[] = [
    { value: "now", label: t("when.now"), hint: t("when.nowHint") },
    ...(["7", "14", "30"] as const).map((n) => ({
      value: n,
      label: t("when.inDays", { days: Number(n) }),
      hint: t("when.inDaysHint", { day: formatDay(chosenDay(n, "", now) as Date) }),
    })),
    { value: "date", label: t("when.date"), hint: t("when.dateHint") },
  ];
  const confirmLabel = day ? t("confirm.from", { day: formatDay(day) }) : mode === "change" ? t("confirm.now") : t("confirm.everyone");
  return (
    <>
      {stepUp.proof}
      <form action={action} {...stepUp.form} className="space-y-5" noValidate>
        <input type="hidden" name="required" value={turnOn ? "on" : "off"} />
        {turnOn && (
          <fieldset>
            <legend className="text-sm font-medium text-gray-900">{t("when.legend")}</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-2">
              {options.map((o) => (
                <label
                  key={o.value}
                  className={`flex cursor-pointer items-start gap-3 rounded-lg px-3 py-2.5 ring-1 ring-inset ${
                    when === o.value ? "bg-blue-50 ring-blue-300" : "bg-white ring-gray-200 hover:bg-gray-50"
                  } ${o.value === "date" ? "sm:col-span-2" : ""}`}
                >
                  <input
                    type="radio"
                    name="when"
                    value={o.value}
                    checked={when === o.value}
                    onChange={() => setWhen(o.value)}
                    className="mt-0.5 size-4 accent-blue-600"
                  />
                  <span className="min-w-0 flex-1">
                    <span className="block text-sm font-medium text-gray-900">{o.label}</span>
                    <span className="block text-xs text-gray-600">{o.hint}</span>
                  </span>
                </label>
              ))}
            </div>
            {when === "date" && (
              <div className="mt-3">
                <label htmlFor="require-mfa-date" className="block text-sm font-medium text-gray-900">
                  {t("when.startDate")}
                </label>
                <input
                  id="require-mfa-date"
                  type="date"
                  name="date"
                  value={date}
                  min={tomorrow}
                  max={lastDay}
                  onChange={(e) => setDate(e.target.value)}
                  aria-invalid={fieldErrors?.date ? true : undefined}
                  aria-describedby={fieldErrors?.date ? "require-mfa-date-error" : undefined}
                  className={`mt-1.5 block w-full max-w-[12rem] rounded-lg border-0 bg-white px-3 py-2 text-sm text-gray-900 shadow-xs ring-1 ring-inset focus:ring-2 focus:ring-blue-600 focus:outline-none ${
                    fieldErrors?.date ? "ring-red-400" : "ring-gray-300"
                  }`}
                />
                {fieldErrors?.date && (
                  <p id="require-mfa-date-error" className="mt-1.5 text-sm text-red-600">
                    {fieldErrors.date}
                  </p>
                )}
              </div>
            )}
          </fieldset>
        )}
        {turnOn ? (
          withoutMfa.length === 0 ? (
            <p className="text-sm text-gray-700">{t("everyone")}</p>
          ) : (
            <div className="space-y-3">
              <p className="text-sm text-gray-700" id="without-mfa-summary">
                <strong className="font-semibold text-gray-900">{t("without", { count: withoutMfa.length })}</strong>{" "}
                {day ? t("untilDay", { day: formatDay(day), methods: allowed }) : t("fromNextPage", { methods: allowed })}
              </p>
              <ul aria-labelledby="without-mfa-summary" className="max-h-40 divide-y divide-gray-100 overflow-y-auto rounded-lg ring-1 ring-gray-200 ring-inset">
                {withoutMfa.map((p) => (
                  <li key={p.userId} className="px-3 py-2">
                    <p className="truncate text-sm font-medium text-gray-900">
                      {p.name}
                      {p.isYou && <span className="ml-1.5 font-normal text-gray-500">{t("you")}</span>}
                    </p>
                    <p className="truncate text-xs text-gray-500">{p.email}</p>
                  </li>
                ))}
              </ul>
              {youToo && (
                <Alert tone="warning">
                  {day ? t("youTooBefore", { day: formatDay(day) }) : t("youToo")}
                </Alert>
              )}
            </div>
          )
        ) : (
          <p className="text-sm text-gray-700">
            {t("stopExplain")}
          </p>
        )}
        {error && <Alert tone="error">{error}</Alert>}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button type="button" variant="secondary" onClick={onCancel} id="require-mfa-cancel">
            {tc("cancel")}
          </Button>
          <SubmitButton id="require-mfa-confirm" variant={turnOn ? "primary" : "danger"} pendingLabel={turnOn ? t("saving") : t("turningOff")}>
            {turnOn ? confirmLabel : t("stop")}
          </SubmitButton>
        </div>
      </form>
    </>
  );
}
