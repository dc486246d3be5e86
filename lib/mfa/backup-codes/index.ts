import { say } from "@/lib/i18n/context";
import { eq } from "drizzle-orm";
import { backupCodes } from "@/db/schema";
import type { Factor } from "../factor";
import { BACKUP_CODE_ERRORS, normalizeBackupCode, redeemBackupCode } from "./codes";

/** Backup codes: ten single-use recovery codes, issued with the first factor (NIST SP 800-63B 4.2.1.1 look-up secrets). */
export const backupCodesFactor: Factor = {
  method: "backup",
  errors: BACKUP_CODE_ERRORS,
  normalize: normalizeBackupCode,
  async match({ db, userId, organisationId, code, now, info }) {
    const result = await redeemBackupCode(db, userId, code, { now, info, organisationId });
    return result.ok ? { ok: true, backupCodesLeft: result.remaining } : { ok: false, error: result.error };
  },
  async remove(tx, userId) {
    const voided = await tx.delete(backupCodes).where(eq(backupCodes.userId, userId)).returning({ usedAt: backupCodes.usedAt });
    return voided.some((c) => c.usedAt === null);
  },
  describe: (s) => (s.backupCodesLeft > 0 ? say("mfa.summary.backupLeft", { count: s.backupCodesLeft }) : null),
};
