"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass, SubmitButton } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import { type ConfirmState, confirmEmailAction } from "./actions";

/** "Use this address to sign in?" and, once pressed, the outcome. */
export function ConfirmEmailForm({ token, newEmail, currentEmail }: { token: string; newEmail: string; currentEmail: string }) {
  const t = useTranslations("confirmEmail");
  const address = (chunks: React.ReactNode) => <span className="font-medium break-all text-gray-900">{chunks}</span>;
  const [state, action] = useActionState(confirmEmailAction, { status: "idle" } as ConfirmState);
  if (state.status === "done")
    return (
      <div>
        <h1 className="text-xl font-semibold tracking-tight">{t("doneTitle")}</h1>
        <p className="mt-2 text-sm text-gray-600" role="status">
          {t.rich("done", { email: state.email, address })}
        </p>
        <div className="mt-6">
          <Link href={state.signedIn ? "/account" : "/login"} className={buttonClass("primary", "w-full")}>
            {state.signedIn ? t("backToAccount") : t("signIn")}
          </Link>
        </div>
      </div>
    );
  return (
    <form action={action} className="space-y-5">
      <input type="hidden" name="token" value={token} />
      <div>
        <h1 className="text-xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-2 text-sm text-gray-600">
          {t.rich("intro", {
            email: newEmail,
            current: currentEmail,
            address,
            previous: (chunks) => <span className="font-medium text-gray-900">{chunks}</span>,
          })}
        </p>
      </div>
      {state.status === "error" && <Alert tone="error">{state.message}</Alert>}
      <SubmitButton className="w-full" pendingLabel={t("confirming")}>
        {t("submit")}
      </SubmitButton>
      <p className="text-center text-xs text-gray-500">{t("notYou")}</p>
    </form>
  );
}
