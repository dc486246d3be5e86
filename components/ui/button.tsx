"use client";
import { useFormStatus } from "react-dom";
import { buttonClass, type Variant } from "./button-styles";

export { buttonClass };

export function Spinner({ className = "size-4" }: { className?: string }) {
  return (
    <svg className={`${className} animate-spin`} viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity="0.25" strokeWidth="4" />
      <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}

type ButtonProps = React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; pending?: boolean };

export function Button({ variant = "primary", pending = false, className = "", children, disabled, ...rest }: ButtonProps) {
  return (
    <button className={buttonClass(variant, className)} disabled={disabled || pending} aria-busy={pending || undefined} {...rest}>
      {pending && <Spinner />}
      {children}
    </button>
  );
}

/** A submit button that shows a spinner while its form's action runs (or while `pending` holds it, e.g. during the navigation after). */
export function SubmitButton({ children, pendingLabel, pending: held = false, ...rest }: ButtonProps & { pendingLabel?: string }) {
  const { pending } = useFormStatus();
  const busy = pending || held;
  return (
    <Button type="submit" pending={busy} {...rest}>
      {busy && pendingLabel ? pendingLabel : children}
    </Button>
  );
}
