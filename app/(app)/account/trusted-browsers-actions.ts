"use server";
import { revalidatePath } from "next/cache";
import { accountAction, noInput } from "@/lib/actions/client";
import { trustedBrowserIdSchema } from "@/lib/auth/schemas";
import { forgetAllOwnTrustedBrowsers, forgetOwnTrustedBrowser } from "@/lib/auth/trusted-browsers";

/** "Forget" on one trusted browser: it asks for the code again at its next sign-in. Only the user's own rows. */
export const forgetTrustedBrowserAction = accountAction(
  trustedBrowserIdSchema,
  async ({ id }, { actor, db, info }): Promise<void> => {
    await forgetOwnTrustedBrowser(db, actor, { id, info });
    revalidatePath("/account");
  },
  () => undefined,
);

/** "Forget all": every browser the user trusted asks for the code again. */
export const forgetAllTrustedBrowsersAction = accountAction(
  noInput,
  async (_input, { actor, db, info }): Promise<void> => {
    await forgetAllOwnTrustedBrowsers(db, actor, { info });
    revalidatePath("/account");
  },
  () => undefined,
);
