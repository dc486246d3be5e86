"use server";
import { revalidatePath } from "next/cache";
import type { ZodError } from "zod";
import { languageSchema, setUserLocale } from "@/lib/account/locale";
import { accountAction } from "@/lib/actions/client";
import { fieldErrors } from "@/lib/auth/schemas";
import { translator } from "@/lib/i18n/messages";

export type LanguageState = { status: "idle" } | { status: "error"; message: string } | { status: "success"; message: string };

/** My account → Language → Save: from the next page on, in the chosen language (lib/auth/locale.ts). */
export const setLanguageAction = accountAction(
  languageSchema,
  async ({ locale }, { actor, db, info }): Promise<LanguageState> => {
    await setUserLocale(db, actor, locale, info);
    revalidatePath("/", "layout");
    // Said in the language just chosen.
    return { status: "success", message: translator(locale)("account.language.saved") };
  },
  (error: ZodError): LanguageState => ({ status: "error", message: Object.values(fieldErrors(error))[0] ?? "" }),
);
