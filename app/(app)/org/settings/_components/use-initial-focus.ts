"use client";
import { useEffect } from "react";

/**
 * Focuses an element of a dialog's content (by id) once the dialog is open. React's autoFocus runs before
 * the parent's effect calls showModal(), while the element cannot take focus yet, so this waits a frame.
 */
export function useInitialFocus(id: string) {
  useEffect(() => {
    const frame = requestAnimationFrame(() => document.getElementById(id)?.focus());
    return () => cancelAnimationFrame(frame);
  }, [id]);
}
