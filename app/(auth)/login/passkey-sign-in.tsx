"use client";
import { useState, useTransition } from "react";
import { form } from "@/components/mfa/form-data";
import { signWithPasskey } from "@/components/mfa/passkey-ceremony";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { finishPasskeySignInAction, startPasskeySignInAction } from "./passkey-actions";
import { useTranslations } from "next-intl";

/** "Sign in with a passkey": the browser offers the passkeys it holds for this site; no email or password. */
export function PasskeySignIn({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("login");
  const UNEXPECTED = t("unavailable");
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);

  const signIn = () =>
    startTransition(async () => {
      setError(null);
      try {
        const prompt = await startPasskeySignInAction(form({}));
        if (prompt.status !== "prompt") return setError(prompt.status === "error" ? prompt.message : UNEXPECTED);
        const answer = await signWithPasskey(prompt.options);
        if (!answer.ok) return setError(answer.message);
        const result = await finishPasskeySignInAction(form({ id: prompt.id, response: answer.response, callbackUrl }));
        if (result.status !== "signed_in") return setError(result.status === "error" ? result.message : UNEXPECTED);
        // A full load, as after a password: nothing cached while signed out is reused.
        setLeaving(true);
        window.location.assign(result.to);
      } catch {
        setError(UNEXPECTED);
      }
    });

  return (
    <div className="space-y-3">
      {error && <Alert tone="error">{error}</Alert>}
      <Button type="button" variant="secondary" className="w-full" onClick={signIn} pending={pending || leaving}>
        {pending || leaving ? t("waitingForPasskey") : t("withPasskey")}
      </Button>
    </div>
  );
}
