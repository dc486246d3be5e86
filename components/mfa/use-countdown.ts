"use client";
import { useEffect, useState } from "react";

/**
 * Seconds left until `until` (epoch ms), ticking once a second; 0 when passed or unset. The server's render and
 * the browser's hydration read the clock at different moments, so the element that shows the seconds carries
 * suppressHydrationWarning (a slow page would otherwise log a hydration error and re-render).
 */
export function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [until]);
  return until ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;
}
