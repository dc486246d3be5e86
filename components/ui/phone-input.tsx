"use client";

import { useLocale, useTranslations } from "next-intl";
import { type ChangeEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { type CountryCode, countryFromLocale, FALLBACK_COUNTRY, formatPhoneAsYouType, listCountries, toCountryCode } from "@/lib/phone/parse";
import { CountryButton, CountryPicker } from "./country-picker";
import { Icon } from "./icons";

export type PhoneInputProps = {
  /** Name of the number field; the selected region is submitted as `${name}Country`. */
  name: string;
  /** Region code such as "NL"; without it the browser's locale decides after mount. */
  defaultCountry?: string;
  defaultValue?: string;
  error?: string | null;
  id?: string;
  autoFocus?: boolean;
  describedBy?: string;
};

export function PhoneInput({ name, defaultCountry, defaultValue, error, id, autoFocus, describedBy }: PhoneInputProps) {
  // Country names in the page's language (the same on server and client, so the markup matches).
  const locale = useLocale();
  const t = useTranslations("phone");
  const countries = useMemo(() => listCountries(locale), [locale]);
  const fixedCountry = toCountryCode(defaultCountry);
  const [country, setCountry] = useState<CountryCode>(fixedCountry ?? FALLBACK_COUNTRY);
  const [value, setValue] = useState(() => formatPhoneAsYouType(defaultValue ?? "", fixedCountry ?? FALLBACK_COUNTRY));
  const [open, setOpen] = useState(false);

  const generatedId = useId();
  const inputId = id ?? `${generatedId}-number`;
  const errorId = `${generatedId}-error`;
  const pickerId = `${generatedId}-countries`;

  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  // navigator.language is unknown on the server, so the server renders FALLBACK_COUNTRY and the
  // browser's region is applied after hydration, never during it.
  useEffect(() => {
    if (fixedCountry) return;
    const detected = countryFromLocale(navigator.language);
    setCountry(detected);
    setValue((current) => formatPhoneAsYouType(current, detected));
  }, [fixedCountry]);

  useEffect(() => {
    if (!open) return;
    function closeOnOutsidePointer(event: PointerEvent) {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener("pointerdown", closeOnOutsidePointer);
    return () => document.removeEventListener("pointerdown", closeOnOutsidePointer);
  }, [open]);

  const selected = countries.find((c) => c.code === country) ?? countries[0];

  function chooseCountry(code: CountryCode) {
    setCountry(code);
    setValue((current) => formatPhoneAsYouType(current, code));
    setOpen(false);
    inputRef.current?.focus();
  }

  function closeAndReturnFocus() {
    setOpen(false);
    buttonRef.current?.focus();
  }

  function handleNumberChange(event: ChangeEvent<HTMLInputElement>) {
    const element = event.currentTarget;
    let raw = element.value;
    let caret = element.selectionStart ?? raw.length;
    const inputType = (event.nativeEvent as InputEvent).inputType;

    // Deleting only a space, dash or bracket would be undone by reformatting and leave the caret
    // stuck, so the digit beyond it goes instead, as in a native phone dialer.
    if (raw.length < value.length && countSignificant(raw) === countSignificant(value)) {
      if (inputType === "deleteContentBackward") {
        const index = lastSignificantIndex(raw, caret);
        if (index >= 0) {
          raw = raw.slice(0, index) + raw.slice(index + 1);
          caret = index;
        }
      } else if (inputType === "deleteContentForward") {
        const index = firstSignificantIndex(raw, caret);
        if (index >= 0) raw = raw.slice(0, index) + raw.slice(index + 1);
      }
    }

    const significantBeforeCaret = countSignificant(raw.slice(0, caret));
    const formatted = formatPhoneAsYouType(raw, country);
    const position = caretAfter(formatted, significantBeforeCaret);
    // Writing the DOM before React does keeps the caret where the user is typing, even when the
    // formatted value equals the previous state and React would not re-render.
    element.value = formatted;
    element.setSelectionRange(position, position);
    setValue(formatted);
  }

  const describedByIds = [describedBy, error ? errorId : null].filter(Boolean).join(" ") || undefined;

  return (
    <div className="w-full">
      <label htmlFor={inputId} className="mb-1.5 block text-sm font-medium text-gray-900">
        {t("label")}
      </label>
      <div ref={rootRef} className="relative">
        <div
          className={`flex w-full rounded-lg border bg-white shadow-xs transition-colors focus-within:ring-4 ${
            error
              ? "border-red-500 focus-within:border-red-500 focus-within:ring-red-500/15"
              : "border-gray-300 focus-within:border-blue-600 focus-within:ring-blue-600/15"
          }`}
        >
          <CountryButton
            ref={buttonRef}
            country={selected}
            open={open}
            pickerId={pickerId}
            onOpen={() => setOpen(true)}
            onClose={closeAndReturnFocus}
          />
          <input
            ref={inputRef}
            id={inputId}
            name={name}
            type="tel"
            inputMode="tel"
            autoComplete="tel-national"
            placeholder={t("placeholder")}
            value={value}
            onChange={handleNumberChange}
            autoFocus={autoFocus}
            aria-required="true"
            aria-invalid={error ? true : undefined}
            aria-describedby={describedByIds}
            className="min-w-0 flex-1 rounded-r-lg bg-transparent px-3 py-2.5 text-base text-gray-900 tabular-nums outline-none placeholder:text-gray-400 sm:text-sm"
          />
        </div>
        <input type="hidden" name={`${name}Country`} value={country} />
        {open ? (
          <CountryPicker
            id={pickerId}
            countries={countries}
            selected={country}
            onChoose={chooseCountry}
            onDismiss={closeAndReturnFocus}
            onFocusLeave={(next) => {
              if (next !== buttonRef.current) setOpen(false);
            }}
          />
        ) : null}
      </div>
      {error ? (
        <p id={errorId} role="alert" className="mt-1.5 flex items-start gap-1.5 text-sm text-red-600">
          <Icon name="alert" className="mt-0.5 size-4 shrink-0" />
          <span>{error}</span>
        </p>
      ) : null}
    </div>
  );
}

function countSignificant(text: string): number {
  return text.replace(/[^\d+]/g, "").length;
}

function lastSignificantIndex(text: string, before: number): number {
  for (let index = before - 1; index >= 0; index--) if (/[\d+]/.test(text[index])) return index;
  return -1;
}

function firstSignificantIndex(text: string, from: number): number {
  for (let index = from; index < text.length; index++) if (/[\d+]/.test(text[index])) return index;
  return -1;
}

function caretAfter(formatted: string, significant: number): number {
  if (significant === 0) return 0;
  let seen = 0;
  for (let index = 0; index < formatted.length; index++) {
    if (/[\d+]/.test(formatted[index]) && ++seen === significant) return index + 1;
  }
  return formatted.length;
}
