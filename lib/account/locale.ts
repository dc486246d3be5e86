import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/connect";
import { users } from "@/db/schema";
import { recordEvent, type RequestInfo } from "@/lib/audit/events";
import { inLanguage } from "@/lib/i18n/context";
import { LOCALES, type Locale } from "@/lib/i18n/locales";

/** My account → Language: one of the languages the app speaks. */
export const languageSchema = z.object({ locale: z.enum(LOCALES, inLanguage("validation.chooseLanguage")) });

/** Saves the account's language (every page, email and text message from the next one on) and audits the change. */
export async function setUserLocale(
  db: Db,
  actor: { userId: string; organisationId?: string | null },
  locale: Locale,
  info: Partial<RequestInfo> = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ locale: users.locale }).from(users).where(eq(users.id, actor.userId)).for("update");
    if (before?.locale === locale) return;
    await tx.update(users).set({ locale }).where(eq(users.id, actor.userId));
    await recordEvent(tx, {
      action: "user.language_changed",
      userId: actor.userId,
      organisationId: actor.organisationId ?? null,
      detail: { from: before?.locale ?? "browser", to: locale },
      ...info,
    });
  });
}
