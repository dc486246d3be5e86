"use client";

import { useTranslations } from "next-intl";
import { type KeyboardEvent, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Country, CountryCode } from "@/lib/phone/parse";
import { filterCountries, flagEmoji } from "./countries";
import { Icon } from "./icons";

const listboxIdFor = (pickerId: string) => `${pickerId}-listbox`;

type CountryButtonProps = {
  ref: React.Ref<HTMLButtonElement>;
  country: Country;
  open: boolean;
  /** The id of the picker it opens. */
  pickerId: string;
  onOpen: () => void;
  onClose: () => void;
};

/** The grey button left of the number: the chosen country's flag and calling code; it opens the picker. */
export function CountryButton({ ref, country, open, pickerId, onOpen, onClose }: CountryButtonProps) {
  const t = useTranslations("phone");
  return (
    <button
      ref={ref}
      type="button"
      aria-label={t("countryButton", { country: country.name, code: country.callingCode })}
      aria-haspopup="listbox"
      aria-expanded={open}
      aria-controls={open ? listboxIdFor(pickerId) : undefined}
      // Not taking focus on press keeps the search box from blurring (which would close the list
      // and let this click reopen it); the click then closes it.
      onMouseDown={(event) => {
        if (open) event.preventDefault();
      }}
      onClick={() => (open ? onClose() : onOpen())}
      onKeyDown={(event) => {
        if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !open) {
          event.preventDefault();
          onOpen();
        }
      }}
      className="flex shrink-0 items-center gap-1.5 rounded-l-[7px] border-r border-gray-300 bg-gray-100 px-3 text-sm font-medium text-gray-900 tabular-nums transition-colors hover:bg-gray-200 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-blue-600"
    >
      <span aria-hidden="true" className="text-base leading-none">
        {flagEmoji(country.code)}
      </span>
      <span aria-hidden="true">+{country.callingCode}</span>
      <Icon name="chevron" className={`size-4 text-gray-500 transition-transform ${open ? "rotate-180" : ""}`} />
    </button>
  );
}

type CountryPickerProps = {
  id: string;
  countries: Country[];
  selected: CountryCode;
  onChoose: (code: CountryCode) => void;
  onDismiss: () => void;
  onFocusLeave: (next: Element | null) => void;
};

/** The open country list: a search box (combobox) that keeps focus, and the matching countries as its listbox. */
export function CountryPicker({ id, countries, selected, onChoose, onDismiss, onFocusLeave }: CountryPickerProps) {
  const t = useTranslations("phone");
  const [query, setQuery] = useState("");
  const results = useMemo(() => filterCountries(countries, query), [countries, query]);
  const [activeIndex, setActiveIndex] = useState(() => Math.max(0, countries.findIndex((c) => c.code === selected)));
  const popoverRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const listboxId = listboxIdFor(id);
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
        <Icon name="search" className="pointer-events-none absolute top-1/2 left-4.5 size-4 -translate-y-1/2 text-gray-400" />
        <input
          ref={searchRef}
          type="text"
          role="combobox"
          aria-label={t("search")}
          aria-autocomplete="list"
          aria-expanded="true"
          aria-controls={listboxId}
          aria-activedescendant={active ? optionId(active.code) : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder={t("search")}
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
        aria-label={t("countries")}
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
              <Icon name="check" className={`size-4 shrink-0 text-blue-600 ${isSelected ? "" : "invisible"}`} />
            </div>
          );
        })}
      </div>
      {results.length === 0 ? (
        <p role="status" className="px-3 py-6 text-center text-sm text-gray-500">
          {t("noMatch", { query: query.trim() })}
        </p>
      ) : null}
    </div>
  );
}
