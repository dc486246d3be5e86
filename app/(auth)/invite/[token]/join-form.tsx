"use client";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { useTranslations } from "next-intl";
import { type JoinState, joinWithInvitationAction } from "./actions";

/** For an account that exists and belongs to no organisation, signed in as the invited email. */
export function JoinForm({ token, organisationName }: { token: string; organisationName: string }) {
  const t = useTranslations("invite");
  const [state, action] = useActionState(joinWithInvitationAction, { status: "idle" } as JoinState);
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      {state.status === "error" && <Alert tone="error">{state.message}</Alert>}
      <SubmitButton className="w-full" pendingLabel={t("joining")}>
        {t("join", { organisation: organisationName })}
      </SubmitButton>
    </form>
  );
}
