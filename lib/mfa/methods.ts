import { eq } from "drizzle-orm";
import type { Db } from "@/db/connect";
import { mfaFactors } from "@/db/schema";
import { countRemainingBackupCodes } from "./backup-codes";

export type LoginMethod = "totp" | "sms" | "backup";

export interface LoginMethods {
  /** Strongest first: authenticator app, then text message, then backup codes. */
  available: LoginMethod[];
  smsFactor: { id: string; phone: string } | null;
  backupCodesLeft: number;
}

/** The second factors a user can sign in with right now. */
export async function loginMethods(db: Db, userId: string): Promise<LoginMethods> {
  const factors = await db.select({ id: mfaFactors.id, kind: mfaFactors.kind, phone: mfaFactors.phone }).from(mfaFactors).where(eq(mfaFactors.userId, userId));
  const sms = factors.find((f) => f.kind === "sms" && f.phone);
  const totp = factors.some((f) => f.kind === "totp");
  const backupCodesLeft = factors.length > 0 ? await countRemainingBackupCodes(db, userId) : 0;
  const available: LoginMethod[] = [];
  if (totp) available.push("totp");
  if (sms) available.push("sms");
  if (backupCodesLeft > 0) available.push("backup");
  return { available, smsFactor: sms?.phone ? { id: sms.id, phone: sms.phone } : null, backupCodesLeft };
}

export function isLoginMethod(value: unknown): value is LoginMethod {
  return value === "totp" || value === "sms" || value === "backup";
}

export function parseLoginMethod(value: unknown, methods: LoginMethods): LoginMethod | null {
  if (isLoginMethod(value)) return methods.available.includes(value) ? value : null;
  return methods.available[0] ?? null;
}
