import Link from "next/link";
import { buttonClass } from "@/components/ui/button-class";

export type LinkProblemKind = "invalid" | "expired" | "used" | "missing" | "locked";

function copy(problem: LinkProblemKind, minutes: number): { title: string; body: string } {
  switch (problem) {
    case "expired":
      return { title: "This link has expired", body: `Reset links work for ${minutes} minutes. Ask for a new one and open it soon after it arrives.` };
    case "used":
      return {
        title: "This link no longer works",
        body: "Each reset link works once, and only the newest one you asked for. It also stops working when the password is changed. If you still need a new password, ask for a new link.",
      };
    case "locked":
      return {
        title: "Too many wrong codes",
        body: "To protect your account, this reset link no longer works. Ask for a new link; if you cannot get a code from any of your methods, ask your organisation's admin to reset your multi-factor authentication.",
      };
    case "missing":
      return { title: "Open the link from your email", body: "To choose a new password, open the link in the email we sent you, or ask for a new one." };
    default:
      return { title: "This link does not work", body: "Check that you opened the whole link from the email, or ask for a new one." };
  }
}

function WarningIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.75" className="size-6" aria-hidden="true">
      <path d="M12 9v4m0 3.5h.01M10.3 4.2 2.8 17.4A2 2 0 0 0 4.5 20.4h15a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0Z" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** A reset link that cannot be used: why, and the way forward. Nothing was changed. */
export function LinkProblem({ problem, minutes }: { problem: LinkProblemKind; minutes: number }) {
  const { title, body } = copy(problem, minutes);
  return (
    <div>
      <div className="mb-4 flex size-11 items-center justify-center rounded-full bg-amber-50 text-amber-700 ring-1 ring-amber-100">
        <WarningIcon />
      </div>
      <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-2 text-sm text-gray-600">{body}</p>
      <p className="mt-2 text-sm text-gray-600">Your password has not been changed.</p>
      <div className="mt-6 flex flex-col gap-3 sm:flex-row-reverse sm:items-center sm:justify-between">
        <Link href="/forgot-password" className={buttonClass("primary")}>
          Send a new link
        </Link>
        <Link href="/login" className="rounded text-center text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
          Back to sign in
        </Link>
      </div>
    </div>
  );
}
