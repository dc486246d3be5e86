"use client";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Switch } from "@/components/ui/switch";
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

const REQUIRE_SWITCH_LABEL = "Require multi-factor authentication for all users";
const DAY_MS = 86_400_000;

const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const formatDay = (d: Date | string) => dayFormat.format(new Date(d));
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** What the policy allows, in the words members read: the methods, not "a phone". */
function methodsInWords(methods: MfaMethodsSetting) {
  if (methods === "passkey_only") return "a passkey or security key";
  return methods === "totp_only" ? "an authenticator app or a passkey" : "a passkey, an authenticator app or a text message";
}

export function MfaPolicyCard({ required, requiredSince, enforcedFrom, inGrace, methods, coverage, withoutMfa, trustedBrowserDays }: Props) {
  const [dialog, setDialog] = useState<null | "on" | "off" | "change">(null);
  const [message, setMessage] = useState<string | null>(null);
  const since = requiredSince ? ` since ${formatDay(requiredSince)}` : "";
  const openChange = () => {
    setMessage(null);
    setDialog("change");
  };
  return (
    <Card>
      <CardHeader
        title="Multi-factor authentication"
        description={`A second step after the password, with ${methodsInWords(methods)}, so a stolen password alone is not enough.`}
      />
      <div className="space-y-5 px-5 py-5 sm:px-6">
        {message && <Alert tone="success">{message}</Alert>}
        <CoverageBar enabled={coverage.enabled} total={coverage.total} />
        <div className="rounded-lg bg-gray-50 px-4 py-4 ring-1 ring-gray-200 ring-inset">
          <Switch
            id="require-mfa"
            label={REQUIRE_SWITCH_LABEL}
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
                <span className="font-semibold">Required from {formatDay(enforcedFrom)}.</span> Until then members without it see a reminder on
                every page; from that day they must set it up before they can continue.
              </p>
              <Button variant="secondary" className="px-3 py-1.5" onClick={openChange}>
                Change date
              </Button>
            </div>
          ) : (
            <div className="mt-2 flex flex-wrap items-start justify-between gap-3">
              <p id="require-mfa-help" className="text-sm text-gray-600">
                {required
                  ? `Required${enforcedFrom ? ` since ${formatDay(enforcedFrom)}` : since}. Members without it are sent to set it up before they can do anything else.`
                  : `When on, members without it must add ${methodsInWords(methods)} before they can continue: from their next page, or from a date you choose.`}
              </p>
              {required && (
                <Button variant="secondary" className="px-3 py-1.5" onClick={openChange}>
                  Change date
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
        title={
          dialog === "off"
            ? "Stop requiring multi-factor authentication?"
            : dialog === "change"
              ? "Change when multi-factor authentication is required"
              : "Require multi-factor authentication?"
        }
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
    !turnOn
      ? "You are about to stop requiring multi-factor authentication."
      : mode === "change"
        ? "You are about to change when multi-factor authentication is required."
        : "You are about to require multi-factor authentication for everyone.",
    state,
    { inline: true },
  );
  const youToo = withoutMfa.some((p) => p.isYou);
  const tomorrow = isoDay(new Date(startOfUtcDay(now).getTime() + DAY_MS));
  const lastDay = isoDay(new Date(now.getTime() + 365 * DAY_MS));
  // Turning it off is the weaker choice, so Cancel has focus first there; otherwise the confirmation.
  useInitialFocus(turnOn ? "require-mfa-confirm" : "require-mfa-cancel");
  const options: { value: When; label: string; hint: string }[] = [
    { value: "now", label: "Now", hint: "From each member's next page." },
    ...(["7", "14", "30"] as const).map((n) => ({ value: n, label: `In ${n} days`, hint: `From ${formatDay(chosenDay(n, "", now) as Date)}.` })),
    { value: "date", label: "On a date", hint: "From 00:00 UTC on the day you choose." },
  ];
  const confirmLabel = mode === "change" ? (day ? `Require from ${formatDay(day)}` : "Require now") : day ? `Require from ${formatDay(day)}` : "Require for everyone";
  return (
    <>
      {stepUp.proof}
      <form action={action} {...stepUp.form} className="space-y-5" noValidate>
        <input type="hidden" name="required" value={turnOn ? "on" : "off"} />
        {turnOn && (
          <fieldset>
            <legend className="text-sm font-medium text-gray-900">When does it start?</legend>
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
                  Start date
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
            <p className="text-sm text-gray-700">Every member already uses multi-factor authentication, so nobody is interrupted.</p>
          ) : (
            <div className="space-y-3">
              <p className="text-sm text-gray-700" id="without-mfa-summary">
                <strong className="font-semibold text-gray-900">
                  {withoutMfa.length} {withoutMfa.length === 1 ? "member does" : "members do"} not use multi-factor authentication yet.
                </strong>{" "}
                {day
                  ? `Until ${formatDay(day)} they see a reminder on every page, and an email 7, 3 and 1 days before and on the day. From then on they must add ${methodsInWords(methods)} before they can do anything else.`
                  : `From their next page on, they must add ${methodsInWords(methods)} before they can do anything else.`}
              </p>
              <ul aria-labelledby="without-mfa-summary" className="max-h-40 divide-y divide-gray-100 overflow-y-auto rounded-lg ring-1 ring-gray-200 ring-inset">
                {withoutMfa.map((p) => (
                  <li key={p.userId} className="px-3 py-2">
                    <p className="truncate text-sm font-medium text-gray-900">
                      {p.name}
                      {p.isYou && <span className="ml-1.5 font-normal text-gray-500">(you)</span>}
                    </p>
                    <p className="truncate text-xs text-gray-500">{p.email}</p>
                  </li>
                ))}
              </ul>
              {youToo && (
                <Alert tone="warning">
                  {day
                    ? `You do not use it yet either: set it up before ${formatDay(day)}.`
                    : "You do not use it yet either: you will set it up right after confirming."}
                </Alert>
              )}
            </div>
          )
        ) : (
          <p className="text-sm text-gray-700">
            Members keep the factors they set up, but new members and anyone who turns theirs off can sign in with a password alone.
          </p>
        )}
        {error && <Alert tone="error">{error}</Alert>}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button type="button" variant="secondary" onClick={onCancel} id="require-mfa-cancel">
            Cancel
          </Button>
          <SubmitButton id="require-mfa-confirm" variant={turnOn ? "primary" : "danger"} pendingLabel={turnOn ? "Saving…" : "Turning off…"}>
            {turnOn ? confirmLabel : "Stop requiring"}
          </SubmitButton>
        </div>
      </form>
    </>
  );
}
