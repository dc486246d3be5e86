"use client";
import Link from "next/link";
import { useActionState, useState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { type ForgotState, forgotPasswordAction } from "./actions";

function MailIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.75" className="size-6" aria-hidden="true">
      <rect x="3" y="5" width="18" height="14" rx="2.5" />
      <path d="m4 7 8 6 8-6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** The address form, then "check your inbox": the same words whether or not an account has the address. */
export function ForgotForm({ minutes }: { minutes: number }) {
  // "Send a new link" starts a fresh round of the form, with the address kept.
  const [round, setRound] = useState({ n: 0, email: "" });
  return <ForgotRound key={round.n} minutes={minutes} email={round.email} onAgain={(email) => setRound((r) => ({ n: r.n + 1, email }))} />;
}

function ForgotRound({ minutes, email: initialEmail, onAgain }: { minutes: number; email: string; onAgain: (email: string) => void }) {
  const t = useTranslations("forgot");
  const [state, action] = useActionState(forgotPasswordAction, { status: "idle" } as ForgotState);

  if (state.status === "sent")
    return (
      <div>
        <div className="mb-4 flex size-11 items-center justify-center rounded-full bg-blue-50 text-blue-700 ring-1 ring-blue-100">
          <MailIcon />
        </div>
        <h1 className="text-xl font-semibold tracking-tight">{t("sentTitle")}</h1>
        <p className="mt-2 text-sm text-gray-600" role="status">
          {t.rich("sent", { email: state.email, minutes, address: (chunks) => <span className="font-medium break-all text-gray-900">{chunks}</span> })}
        </p>
        <ul className="mt-5 space-y-2 rounded-lg bg-gray-50 px-4 py-3 text-sm text-gray-600 ring-1 ring-gray-200 ring-inset">
          <li>{t("spam")}</li>
          <li>{t("newest")}</li>
        </ul>
        <div className="mt-6 flex flex-wrap items-center justify-between gap-3">
          <Link href="/login" className="rounded text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
            {t("back")}
          </Link>
          <button
            type="button"
            onClick={() => onAgain(state.email)}
            className="rounded text-sm text-gray-600 underline-offset-2 hover:text-gray-900 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
          >
            {t("again")}
          </button>
        </div>
      </div>
    );

  const errors = state.status === "error" ? state.fieldErrors : {};
  const email = state.status === "error" ? state.email : initialEmail;
  return (
    <form action={action} className="space-y-5" noValidate>
      <div>
        <h1 className="text-xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-gray-600">{t("intro")}</p>
      </div>
      <Field
        label={t("email")}
        name="email"
        type="email"
        autoComplete="username"
        required
        maxLength={254}
        defaultValue={email}
        error={errors.email}
        autoFocus
      />
      <SubmitButton className="w-full" pendingLabel={t("sending")}>
        {t("submit")}
      </SubmitButton>
      <p className="text-center text-sm text-gray-600">
        {t("remembered")}{" "}
        <Link href="/login" className="font-semibold text-blue-700 hover:text-blue-800">
          {t("back")}
        </Link>
      </p>
    </form>
  );
}
