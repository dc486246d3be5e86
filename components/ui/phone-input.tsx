"use client";

import {
  type ChangeEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import {
  type Country,
  type CountryCode,
  countryFromLocale,
  FALLBACK_COUNTRY,
  formatPhoneAsYouType,
  listCountries,
  toCountryCode,
} from "@/lib/phone/parse";

/** Locale for country names; the UI is English, and a fixed locale keeps server and client markup equal. */
const DISPLAY_LOCALE = "en";

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
  const countries = useMemo(() => listCountries(DISPLAY_LOCALE), []);
  const fixedCountry = toCountryCode(defaultCountry);
  const [country, setCountry] = useState<CountryCode>(fixedCountry ?? FALLBACK_COUNTRY);
  const [value, setValue] = useState(() => formatPhoneAsYouType(defaultValue ?? "", fixedCountry ?? FALLBACK_COUNTRY));
  const [open, setOpen] = useState(false);

  const generatedId = useId();
  const inputId = id ?? `${generatedId}-number`;
  const errorId = `${generatedId}-error`;
  const popoverId = `${generatedId}-countries`;

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
        Phone number
      </label>
      <div ref={rootRef} className="relative">
        <div
          className={`flex w-full rounded-lg border bg-white shadow-xs transition-colors focus-within:ring-4 ${
            error
              ? "border-red-500 focus-within:border-red-500 focus-within:ring-red-500/15"
              : "border-gray-300 focus-within:border-blue-600 focus-within:ring-blue-600/15"
          }`}
        >
          <button
            ref={buttonRef}
            type="button"
            aria-label={`Country: ${selected.name} +${selected.callingCode}`}
            aria-haspopup="listbox"
            aria-expanded={open}
            aria-controls={open ? `${popoverId}-listbox` : undefined}
            // Not taking focus on press keeps the search box from blurring (which would close the list
            // and let this click reopen it); the click then closes it.
            onMouseDown={(event) => {
              if (open) event.preventDefault();
            }}
            onClick={() => (open ? closeAndReturnFocus() : setOpen(true))}
            onKeyDown={(event) => {
              if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !open) {
                event.preventDefault();
                setOpen(true);
              }
            }}
            className="flex shrink-0 items-center gap-1.5 rounded-l-[7px] border-r border-gray-300 bg-gray-100 px-3 text-sm font-medium text-gray-900 tabular-nums transition-colors hover:bg-gray-200 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-blue-600"
          >
            <span aria-hidden="true" className="text-base leading-none">
              {flagEmoji(selected.code)}
            </span>
            <span aria-hidden="true">+{selected.callingCode}</span>
            <ChevronIcon className={`size-4 text-gray-500 transition-transform ${open ? "rotate-180" : ""}`} />
          </button>
          <input
            ref={inputRef}
            id={inputId}
            name={name}
            type="tel"
            inputMode="tel"
            autoComplete="tel-national"
            placeholder="Please enter your phone number"
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
          <CountryPopover
            id={popoverId}
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
          <AlertIcon className="mt-0.5 size-4 shrink-0" />
          <span>{error}</span>
        </p>
      ) : null}
    </div>
  );
}

type CountryPopoverProps = {
  id: string;
  countries: Country[];
  selected: CountryCode;
  onChoose: (code: CountryCode) => void;
  onDismiss: () => void;
  onFocusLeave: (next: Element | null) => void;
};

function CountryPopover({ id, countries, selected, onChoose, onDismiss, onFocusLeave }: CountryPopoverProps) {
  const [query, setQuery] = useState("");
  const results = useMemo(() => filterCountries(countries, query), [countries, query]);
  const [activeIndex, setActiveIndex] = useState(() => Math.max(0, countries.findIndex((c) => c.code === selected)));
  const popoverRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const listboxId = `${id}-listbox`;
  const optionId = (code: CountryCode) => `${id}-${code}`;
  const active = results[activeIndex];

  useEffect(() => {
    searchRef.current?.focus();
    // Pressing an option or the popover's padding must not blur the search box: the blur would close
    // the list before the click lands.
    const popover = popoverRef.current;
    function keepSearchFocused(event: MouseEvent) {
      if (event.target !== searchRef.current) event.preventDefault();
    }
    popover?.addEventListener("mousedown", keepSearchFocused);
    return () => popover?.removeEventListener("mousedown", keepSearchFocused);
  }, []);

  useLayoutEffect(() => {
    listRef.current?.querySelector(`[data-index="${activeIndex}"]`)?.scrollIntoView({ block: "nearest" });
  }, [activeIndex]);

  function handleKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const last = results.length - 1;
    const moves: Record<string, number> = {
      ArrowDown: Math.min(activeIndex + 1, last),
      ArrowUp: Math.max(activeIndex - 1, 0),
      PageDown: Math.min(activeIndex + 8, last),
      PageUp: Math.max(activeIndex - 8, 0),
    };
    if (event.key in moves) {
      event.preventDefault();
      if (results.length > 0) setActiveIndex(moves[event.key]);
    } else if (event.key === "Enter") {
      // Enter must choose a country, never submit the surrounding form.
      event.preventDefault();
      if (active) onChoose(active.code);
    } else if (event.key === "Escape") {
      // Cancelling the keydown stops an enclosing <dialog> from treating it as its close request.
      event.preventDefault();
      event.stopPropagation();
      onDismiss();
    }
  }

  return (
    // In the page flow, not an absolute overlay: inside a dialog (a scroll container) an overlay was cut off at
    // the dialog's edge and scrolled the dialog's title out of view; in flow, the dialog simply grows.
    <div
      ref={popoverRef}
      id={id}
      className="mt-2 overflow-hidden rounded-lg border border-gray-200 bg-white shadow-lg ring-1 ring-black/5"
    >
      <div className="relative border-b border-gray-200 p-2">
        <SearchIcon className="pointer-events-none absolute top-1/2 left-4.5 size-4 -translate-y-1/2 text-gray-400" />
        <input
          ref={searchRef}
          type="text"
          role="combobox"
          aria-label="Search countries"
          aria-autocomplete="list"
          aria-expanded="true"
          aria-controls={listboxId}
          aria-activedescendant={active ? optionId(active.code) : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder="Search countries"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setActiveIndex(0);
          }}
          onKeyDown={handleKeyDown}
          onBlur={(event) => onFocusLeave(event.relatedTarget)}
          className="w-full rounded-md border border-gray-300 bg-white py-2 pr-3 pl-8 text-base text-gray-900 outline-none placeholder:text-gray-400 focus:border-blue-600 focus:ring-4 focus:ring-blue-600/15 sm:text-sm"
        />
      </div>
      <div
        ref={listRef}
        id={listboxId}
        role="listbox"
        aria-label="Countries"
        className="max-h-64 overflow-y-auto overscroll-contain py-1"
      >
        {results.map((country, index) => {
          const isSelected = country.code === selected;
          const isActive = index === activeIndex;
          return (
            // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard users choose from the search box through aria-activedescendant.
            // biome-ignore lint/a11y/useFocusableInteractive: options stay unfocusable in the aria-activedescendant pattern.
            <div
              key={country.code}
              id={optionId(country.code)}
              role="option"
              aria-selected={isSelected}
              aria-label={`${country.name} +${country.callingCode}`}
              data-index={index}
              onClick={() => onChoose(country.code)}
              onMouseMove={() => {
                if (!isActive) setActiveIndex(index);
              }}
              className={`flex cursor-pointer items-center gap-3 px-3 py-2 text-sm ${
                isActive ? "bg-blue-50 text-blue-900" : "text-gray-900"
              }`}
            >
              <span aria-hidden="true" className="text-base leading-none">
                {flagEmoji(country.code)}
              </span>
              <span className={`min-w-0 flex-1 truncate ${isSelected ? "font-medium" : ""}`}>{country.name}</span>
              <span className="shrink-0 text-gray-600 tabular-nums">+{country.callingCode}</span>
              <CheckIcon className={`size-4 shrink-0 text-blue-600 ${isSelected ? "" : "invisible"}`} />
            </div>
          );
        })}
      </div>
      {results.length === 0 ? (
        <p role="status" className="px-3 py-6 text-center text-sm text-gray-500">
          No countries match “{query.trim()}”.
        </p>
      ) : null}
    </div>
  );
}

function filterCountries(countries: Country[], query: string): Country[] {
  const text = fold(query);
  if (text === "") return countries;
  const digits = text.replace(/^\+/, "");
  const isCallingCode = /^\d+$/.test(digits);

  function rank(country: Country): number {
    if (isCallingCode) {
      if (country.callingCode === digits) return 0;
      return country.callingCode.startsWith(digits) ? 1 : -1;
    }
    const name = fold(country.name);
    if (country.code.toLowerCase() === text) return 0;
    if (name.startsWith(text)) return 1;
    if (name.split(/[\s\-(),.]+/).some((word) => word.startsWith(text))) return 2;
    return name.includes(text) ? 3 : -1;
  }

  return countries
    .map((country) => ({ country, rank: rank(country) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => entry.country);
}

function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").trim().toLowerCase();
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

function flagEmoji(code: CountryCode): string {
  return String.fromCodePoint(...[...code].map((letter) => 0x1f1e6 + letter.charCodeAt(0) - 65));
}

type IconProps = { className?: string };

function ChevronIcon({ className }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className={className}>
      <path
        fillRule="evenodd"
        d="M5.22 8.22a.75.75 0 0 1 1.06 0L10 11.94l3.72-3.72a.75.75 0 1 1 1.06 1.06l-4.25 4.25a.75.75 0 0 1-1.06 0L5.22 9.28a.75.75 0 0 1 0-1.06Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

function SearchIcon({ className }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className={className}>
      <path
        fillRule="evenodd"
        d="M9 3.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM2 9a7 7 0 1 1 12.45 4.39l3.08 3.08a.75.75 0 1 1-1.06 1.06l-3.08-3.08A7 7 0 0 1 2 9Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

function CheckIcon({ className }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className={className}>
      <path
        fillRule="evenodd"
        d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.58l7.3-7.3a1 1 0 0 1 1.4 0Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

function AlertIcon({ className }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className={className}>
      <path
        fillRule="evenodd"
        d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
