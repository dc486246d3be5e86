import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors } from "@/db/schema";
import type { MethodHolder } from "@/lib/org/policy";
import type { MethodSummary } from "./factor";
import type { LoginMethod } from "./method";

/** Everything about a user's second factors that sign-in, step-up, My account and setup need; never a secret. */
export interface UserMethods {
  /** What the user can prove themselves with now, strongest first: passkey, authenticator app, text message, backup code. */
  available: LoginMethod[];
  /** Passkeys and security keys, oldest first. */
  passkeys: { id: string; name: string; addedAt: Date; lastUsedAt: Date | null }[];
  sms: { id: string; phone: string; verifiedAt: Date } | null;
  /** When the authenticator app was added (its latest replacement). */
  totp: { id: string; addedAt: Date } | null;
  backupCodesLeft: number;
  /** Whether a set was ever issued (an account from before backup codes has none). */
  hasBackupCodes: boolean;
}

/** The user's methods: one query for the factors, one for the backup codes (only when there is a factor). */
export async function listMethods(db: Db, userId: string): Promise<UserMethods> {
  const factors = await db
    .select({ id: mfaFactors.id, kind: mfaFactors.kind, phone: mfaFactors.phone, name: mfaFactors.name, verifiedAt: mfaFactors.verifiedAt, lastUsedAt: mfaFactors.lastUsedAt })
    .from(mfaFactors)
    .where(eq(mfaFactors.userId, userId))
    .orderBy(mfaFactors.verifiedAt, mfaFactors.id);
  const passkeys = factors
    .filter((f) => f.kind === "passkey")
    .map((f) => ({ id: f.id, name: f.name ?? "Passkey", addedAt: f.verifiedAt, lastUsedAt: f.lastUsedAt }));
  const sms = factors.find((f) => f.kind === "sms" && f.phone);
  const totp = factors.find((f) => f.kind === "totp");
  let codes = { left: 0, held: 0 };
  if (factors.length > 0) {
    const [row] = await db
      .select({ left: sql<number>`count(*) filter (where ${backupCodes.usedAt} is null)`, held: sql<number>`count(*)` })
      .from(backupCodes)
      .where(eq(backupCodes.userId, userId));
    codes = { left: Number(row?.left ?? 0), held: Number(row?.held ?? 0) };
  }
  const available: LoginMethod[] = [];
  if (passkeys.length > 0) available.push("passkey");
  if (totp) available.push("totp");
  if (sms) available.push("sms");
  if (codes.left > 0) available.push("backup");
  return {
    available,
    passkeys,
    sms: sms?.phone ? { id: sms.id, phone: sms.phone, verifiedAt: sms.verifiedAt } : null,
    totp: totp ? { id: totp.id, addedAt: totp.verifiedAt } : null,
    backupCodesLeft: codes.left,
    hasBackupCodes: codes.held > 0,
  };
}

/** What may leave the server about the methods (the step-up dialog, the admin's member list). */
export function summarize(methods: UserMethods): MethodSummary {
  return { totp: methods.totp !== null, passkeys: methods.passkeys.length, smsLast4: methods.sms?.phone.slice(-4) ?? null, backupCodesLeft: methods.backupCodesLeft };
}

/** What the organisation's method rules need to know about a user (lib/org/policy.ts). */
export function methodHolder(methods: UserMethods): MethodHolder {
  return { hasTotp: methods.totp !== null, hasPasskey: methods.passkeys.length > 0 };
}

/** The method a sign-in page shows: the one asked for if the user has it, else their strongest. */
export function pickMethod<M extends LoginMethod>(value: unknown, available: readonly M[]): M | null {
  if (typeof value === "string" && (available as readonly string[]).includes(value)) return value as M;
  return available[0] ?? null;
}
