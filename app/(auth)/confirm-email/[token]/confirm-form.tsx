"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass, SubmitButton } from "@/components/ui/button";
import { type ConfirmState, confirmEmailAction } from "./actions";

/** "Use this address to sign in?" and, once pressed, the outcome. */
export function ConfirmEmailForm({ token, newEmail, currentEmail }: { token: string; newEmail: string; currentEmail: string }) {
  const [state, action] = useActionState(confirmEmailAction, { status: "idle" } as ConfirmState);
  if (state.status === "done")
    return (
      <div>
        <h1 className="text-xl font-semibold tracking-tight">Your email address is changed</h1>
        <p className="mt-2 text-sm text-gray-600" role="status">
          You now sign in with <span className="font-medium break-all text-gray-900">{state.email}</span>. We told your previous address about
          the change, and signed out your other sessions.
        </p>
        <div className="mt-6">
          <Link href={state.signedIn ? "/account" : "/login"} className={buttonClass("primary", "w-full")}>
            {state.signedIn ? "Back to My account" : "Sign in"}
          </Link>
        </div>
      </div>
    );
  return (
    <form action={action} className="space-y-5">
      <input type="hidden" name="token" value={token} />
      <div>
        <h1 className="text-xl font-semibold tracking-tight">Confirm your new email address</h1>
        <p className="mt-2 text-sm text-gray-600">
          Sign in with <span className="font-medium break-all text-gray-900">{newEmail}</span> from now on, instead of{" "}
          <span className="font-medium text-gray-900">{currentEmail}</span>. Emails about your account will go to the new address.
        </p>
      </div>
      {state.status === "error" && <Alert tone="error">{state.message}</Alert>}
      <SubmitButton className="w-full" pendingLabel="Confirming…">
        Confirm new address
      </SubmitButton>
      <p className="text-center text-xs text-gray-500">Did not ask for this? Close this page: nothing changes without the button.</p>
    </form>
  );
}
