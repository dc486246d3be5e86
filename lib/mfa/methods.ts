import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { backupCodes, mfaFactors } from "@/db/schema";
import type { MethodSummary } from "./factor";
import type { LoginMethod } from "./method";

/** Everything about a user's second factors that sign-in, step-up, My account and setup need; never a secret. */
export interface UserMethods {
  /** What the user can prove themselves with now, strongest first: authenticator app, text message, backup code. */
  available: LoginMethod[];
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
    .select({ id: mfaFactors.id, kind: mfaFactors.kind, phone: mfaFactors.phone, verifiedAt: mfaFactors.verifiedAt })
    .from(mfaFactors)
    .where(eq(mfaFactors.userId, userId));
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
  if (totp) available.push("totp");
  if (sms) available.push("sms");
  if (codes.left > 0) available.push("backup");
  return {
    available,
    sms: sms?.phone ? { id: sms.id, phone: sms.phone, verifiedAt: sms.verifiedAt } : null,
    totp: totp ? { id: totp.id, addedAt: totp.verifiedAt } : null,
    backupCodesLeft: codes.left,
    hasBackupCodes: codes.held > 0,
  };
}

/** What may leave the server about the methods (the step-up dialog, the admin's member list). */
export function summarize(methods: UserMethods): MethodSummary {
  return { totp: methods.totp !== null, smsLast4: methods.sms?.phone.slice(-4) ?? null, backupCodesLeft: methods.backupCodesLeft };
}

/** The method a sign-in page shows: the one asked for if the user has it, else their strongest. */
export function pickMethod(value: unknown, available: readonly LoginMethod[]): LoginMethod | null {
  if (typeof value === "string" && available.includes(value as LoginMethod)) return value as LoginMethod;
  return available[0] ?? null;
}
