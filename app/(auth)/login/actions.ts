"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { type LoginState, passwordStep } from "./password-step";

export type { LoginState };

/**
 * The sign-in form posted without JavaScript (or before the page's script has loaded): the password step,
 * then a 303 to the next page. With JavaScript the page posts to POST /login/password instead, a route that
 * answers JSON: an action that sets a cookie makes Next render the page into its response, which would cost
 * more than the sign-in (docs/performance.md, figure 1).
 */
export async function loginAction(_prev: LoginState, formData: FormData): Promise<LoginState> {
  const state = await passwordStep(formData);
  if (state.status === "signed_in" && !(await headers()).has("next-action")) redirect(state.to);
  return state;
}
