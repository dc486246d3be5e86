import "server-only";
import { cookies } from "next/headers";
import { deviceCookieName } from "./cookies";
import { DEVICE_COOKIE_MAX_AGE_S, isDeviceId, newDeviceId } from "./devices";

/** This browser's device id, or null when it has none yet. */
export async function currentDeviceId(): Promise<string | null> {
  const value = (await cookies()).get(deviceCookieName())?.value;
  return isDeviceId(value) ? value : null;
}

/** This browser's device id, given one first if it has none (server actions and route handlers only). */
export async function ensureDeviceId(): Promise<string> {
  const existing = await currentDeviceId();
  if (existing) return existing;
  const id = newDeviceId();
  (await cookies()).set(deviceCookieName(), id, {
    httpOnly: true,
    secure: deviceCookieName().startsWith("__Host-"),
    sameSite: "lax",
    path: "/",
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  });
  return id;
}
