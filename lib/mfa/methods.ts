import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/connect";
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

/**
 * The user's factors and backup-code counts as one JSON value, for a statement of its own (listMethods) or as a
 * column of a larger read (the password step reads it with the user): `userId` is the SQL naming the user.
 */
export function methodsSql(userId: SQL) {
  return sql`json_build_object(
    'factors', coalesce((select json_agg(json_build_object('id', f.id, 'kind', f.kind, 'phone', f.phone, 'name', f.name,
        'verifiedAt', f.verified_at, 'lastUsedAt', f.last_used_at) order by f.verified_at, f.id)
      from mfa_factors f where f.user_id = ${userId}), '[]'::json),
    'codesLeft', (select count(*) filter (where b.used_at is null) from backup_codes b where b.user_id = ${userId}),
    'codesHeld', (select count(*) from backup_codes b where b.user_id = ${userId}))`;
}

type FactorJson = { id: string; kind: string; phone: string | null; name: string | null; verifiedAt: string; lastUsedAt: string | null };

/** UserMethods from methodsSql's value (JSON text or parsed, as the driver returns it). */
export function methodsFromJson(value: unknown): UserMethods {
  const json = (typeof value === "string" ? JSON.parse(value) : value) as { factors: FactorJson[]; codesLeft: number | string; codesHeld: number | string };
  const factors = json.factors.map((f) => ({ ...f, verifiedAt: new Date(f.verifiedAt), lastUsedAt: f.lastUsedAt ? new Date(f.lastUsedAt) : null }));
  const passkeys = factors
    .filter((f) => f.kind === "passkey")
    .map((f) => ({ id: f.id, name: f.name ?? "Passkey", addedAt: f.verifiedAt, lastUsedAt: f.lastUsedAt }));
  const sms = factors.find((f) => f.kind === "sms" && f.phone);
  const totp = factors.find((f) => f.kind === "totp");
  const codesLeft = Number(json.codesLeft);
  const available: LoginMethod[] = [];
  if (passkeys.length > 0) available.push("passkey");
  if (totp) available.push("totp");
  if (sms) available.push("sms");
  // Backup codes are a way in only beside a factor (they are recovery, not a factor of their own).
  if (factors.length > 0 && codesLeft > 0) available.push("backup");
  return {
    available,
    passkeys,
    sms: sms?.phone ? { id: sms.id, phone: sms.phone, verifiedAt: sms.verifiedAt } : null,
    totp: totp ? { id: totp.id, addedAt: totp.verifiedAt } : null,
    backupCodesLeft: factors.length > 0 ? codesLeft : 0,
    hasBackupCodes: factors.length > 0 && Number(json.codesHeld) > 0,
  };
}

/** The user's methods, in one query. */
export async function listMethods(db: Db, userId: string): Promise<UserMethods> {
  const [row] = rowsOf<{ methods: unknown }>(await db.execute(sql`select ${methodsSql(sql`${userId}::uuid`)} as methods`));
  return methodsFromJson(row.methods);
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
