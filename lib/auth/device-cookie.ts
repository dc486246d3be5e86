import "server-only";
import { cookies } from "next/headers";
import { deviceCookieName } from "./cookies";
import { isDeviceId } from "./devices";

/** This browser's device id (the gate sets it with the first page), or null when it has none. */
export async function currentDeviceId(): Promise<string | null> {
  const value = (await cookies()).get(deviceCookieName())?.value;
  return isDeviceId(value) ? value : null;
}
