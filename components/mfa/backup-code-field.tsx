"use client";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";

type Props = {
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
};

/** A backup-code field: letters and digits in groups, so no numeric keyboard, autofill, capitals or spell-checking. */
export function BackupCodeField({ value, onChange, error }: Props) {
  const t = useTranslations("codes");
  return (
    <Field
      label={t("backupCode")}
      name="code"
      value={value}
      onChange={(e) => onChange(e.target.value.slice(0, 64))}
      autoComplete="off"
      autoCapitalize="none"
      spellCheck={false}
      placeholder="xxxx-xxxx-xxxx-xxxx-xxxx-xxxx"
      className="[&_input]:font-mono"
      error={error}
      autoFocus
    />
  );
}
