"use client";
import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import { type ResendVerificationState, resendVerificationAction } from "../actions";

/** Sends a new confirmation link, saying where it went (or why not) right beside the button. */
export function ResendButton({ email, block = false }: { email: string; block?: boolean }) {
  const t = useTranslations("banner");
  const [state, action] = useActionState(resendVerificationAction, { status: "idle" } as ResendVerificationState);
  return (
    <form action={action} className={block ? "space-y-3" : "flex flex-wrap items-center gap-x-3 gap-y-2"}>
      <SubmitButton variant={block ? "primary" : "secondary"} className={block ? "w-full" : "py-1.5"} pendingLabel={t("sending")}>
        {t("resend")}
      </SubmitButton>
      <p role="status" className={`text-sm ${state.status === "error" ? "text-red-700" : "text-gray-700"}`}>
        {state.status === "sent" ? t("sent", { email }) : state.status === "error" ? state.message : ""}
      </p>
    </form>
  );
}
