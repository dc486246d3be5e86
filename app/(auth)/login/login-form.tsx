"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useActionState, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { type LoginState, loginAction } from "./actions";
import { useTranslations } from "next-intl";

const PASSWORD_ROUTE = "/login/password";
const VERIFY_PATH = "/login/verify";

export function LoginForm({ callbackUrl, notice, email = "" }: { callbackUrl: string; notice?: { text: string; tone: "info" | "success" }; email?: string }) {
  const t = useTranslations("login");
  // Without JavaScript (or before it loads) the form posts to its server action; with it, the script posts
  // the same fields to POST /login/password and shows the JSON it answers (a cheaper answer, see that route).
  const [actionState, action] = useActionState(loginAction, { status: "idle" } as LoginState);
  const [posted, setPosted] = useState<LoginState | null>(null);
  const [busy, setBusy] = useState(false);
  const state = posted ?? actionState;
  const errors = state.status === "error" ? state.fieldErrors ?? {} : {};
  const signedIn = state.status === "signed_in" ? state.to : null;
  const router = useRouter();
  useEffect(() => {
    if (!signedIn) return;
    // The code page shares this page's layout: a client navigation asks the server for that page's own part
    // only. Anywhere else is a full load, so nothing the router holds from before the sign-in is reused.
    if (signedIn === VERIFY_PATH || signedIn.startsWith(`${VERIFY_PATH}?`)) router.push(signedIn);
    else window.location.assign(signedIn);
  }, [signedIn, router]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || signedIn) return;
    setBusy(true);
    // URL-encoded, as cheap to parse as a form gets; React's own fields for the no-JavaScript action stay out.
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(event.currentTarget)) if (typeof value === "string" && !name.startsWith("$ACTION")) body.append(name, value);
    try {
      const res = await fetch(PASSWORD_ROUTE, { method: "POST", body, headers: { accept: "application/json" } });
      setPosted((await res.json()) as LoginState);
    } catch {
      setPosted({ status: "error", formError: t("offline"), email: body.get("email") ?? "" });
    }
    setBusy(false);
  }

  return (
    <form action={action} onSubmit={submit} className="space-y-5" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {notice && state.status === "idle" && <Alert tone={notice.tone}>{notice.text}</Alert>}
      {state.status === "error" && state.formError && <Alert tone="error">{state.formError}</Alert>}
      <Field
        label={t("email")}
        name="email"
        type="email"
        autoComplete="username"
        required
        maxLength={254}
        defaultValue={state.status === "error" ? state.email : email}
        error={errors.email}
        autoFocus
      />
      <div>
        <Field label={t("password")} name="password" type="password" autoComplete="current-password" required error={errors.password} />
        <div className="mt-2 text-right">
          <Link href="/forgot-password" className="rounded text-sm font-medium text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
            {t("forgot")}
          </Link>
        </div>
      </div>
      <SubmitButton className="w-full" pendingLabel={t("signingIn")} pending={busy || signedIn !== null}>
        {t("submit")}
      </SubmitButton>
    </form>
  );
}
