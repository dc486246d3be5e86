"use client";
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslations } from "next-intl";

type Props = { initials: string; name: string; email: string; isAdmin: boolean; signOutAction: () => Promise<void> };

/** The account menu: a menu button (WAI-ARIA APG pattern) with arrow-key navigation. */
export function AvatarMenu({ initials, name, email, isAdmin, signOutAction }: Props) {
  const t = useTranslations("shell");
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const items = () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
  const focusItem = (index: number) => {
    const all = items();
    all[(index + all.length) % all.length]?.focus();
  };
  const close = (returnFocus = true) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!menuRef.current?.contains(e.target as Node) && !buttonRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  const openMenu = (focus: "first" | "last") => {
    setOpen(true);
    requestAnimationFrame(() => focusItem(focus === "first" ? 0 : -1));
  };

  const onMenuKey = (e: React.KeyboardEvent) => {
    const all = items();
    const index = all.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown") focusItem(index + 1);
    else if (e.key === "ArrowUp") focusItem(index - 1);
    else if (e.key === "Home") focusItem(0);
    else if (e.key === "End") focusItem(-1);
    else if (e.key === "Escape") close();
    else if (e.key === "Tab") setOpen(false);
    else return;
    if (e.key !== "Tab") e.preventDefault();
  };

  const itemClass =
    "flex w-full items-center px-4 py-2 text-left text-sm text-gray-700 outline-none hover:bg-gray-50 focus:bg-gray-100 focus:text-gray-900";

  return (
    <div className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        // The visible initials are part of the name too (WCAG 2.5.3 label in name: voice users can say "click AV").
        aria-label={t("menuFor", { who: name || email, initials })}
        onClick={() => (open ? close(false) : openMenu("first"))}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            openMenu("first");
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            openMenu("last");
          } else if (e.key === "Escape" && open) {
            // Focus moves into the menu on the next frame: Escape pressed before that still closes it.
            e.preventDefault();
            close();
          }
        }}
        className="grid size-9 place-items-center rounded-full bg-blue-600 text-sm font-semibold text-white ring-2 ring-white transition hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
      >
        <span aria-hidden="true">{initials}</span>
      </button>
      {open && (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={t("accountMenu")}
          tabIndex={-1}
          onKeyDown={onMenuKey}
          className="absolute right-0 z-20 mt-2 w-64 origin-top-right rounded-xl bg-white py-1 shadow-lg ring-1 ring-gray-200"
        >
          <div className="border-b border-gray-100 px-4 py-3" role="none">
            <p className="truncate text-sm font-medium text-gray-900">{name}</p>
            <p className="truncate text-xs text-gray-500">{email}</p>
          </div>
          <div className="py-1" role="none">
            <Link href="/account" role="menuitem" tabIndex={-1} className={itemClass} onClick={() => setOpen(false)}>
              {t("myAccount")}
            </Link>
            {isAdmin && (
              <Link href="/org/settings" role="menuitem" tabIndex={-1} className={itemClass} onClick={() => setOpen(false)}>
                {t("orgSettings")}
              </Link>
            )}
          </div>
          <form action={signOutAction} className="border-t border-gray-100 py-1" role="none">
            <button type="submit" role="menuitem" tabIndex={-1} className={itemClass}>
              {t("signOut")}
            </button>
          </form>
        </div>
      )}
    </div>
  );
}
