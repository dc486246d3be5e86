"use client";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";

type Props = {
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  label?: string;
  hint?: string;
  disabled?: boolean;
  autoFocus?: boolean;
};

/**
 * A one-time-code field: numeric keyboard, SMS autofill (autocomplete="one-time-code"), and pasted
 * codes with spaces or dashes are accepted (the server normalises them too).
 */
export function CodeField({ value, onChange, error, label, hint, disabled, autoFocus }: Props) {
  const t = useTranslations("codes");
  return (
    <Field
      label={label ?? t("verificationCode")}
      name="code"
      value={value}
      onChange={(e) => onChange(e.target.value.slice(0, 20))}
      autoComplete="one-time-code"
      inputMode="numeric"
      maxLength={20}
      placeholder="123456"
      className="[&_input]:font-mono [&_input]:text-lg [&_input]:tracking-[0.3em]"
      error={error}
      hint={hint}
      disabled={disabled}
      autoFocus={autoFocus}
      required
    />
  );
}

/** The six digits in a typed or pasted value, or null when it is not (yet) a whole code. */
export function completeCode(value: string): string | null {
  const compact = value.replace(/[\s-]/g, "");
  return /^\d{6}$/.test(compact) ? compact : null;
}
