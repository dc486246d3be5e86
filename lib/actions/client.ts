import "server-only";
import { z } from "zod";
import { getDb } from "@/db/client";
import type { Db } from "@/db/connect";
import type { RequestInfo } from "@/lib/audit/events";
import { currentRequest, type OrgSession, requireOrgPermission, requirePendingSession, requireSession } from "@/lib/auth/dal";
import { requestLocale } from "@/lib/auth/locale";
import type { ActiveSession } from "@/lib/auth/sessions";
import { say, withLocale } from "@/lib/i18n/context";
import { type Actor, actorOf } from "@/lib/mfa/actor";
import type { OrgActor } from "@/lib/org/errors";
import type { OrgOperation } from "@/lib/org/permissions";
import { withEmailDelivery } from "./email-delivery";

/**
 * The one way to write a server action: guard → zod → context → the domain call → words.
 *   export const renameAction = orgAdminAction(schema, "organisation.rename", async (input, ctx) => ..., invalid);
 * 1. The guard runs first and redirects when the caller may not be here (the gate is never the only check).
 * 2. The form is parsed by the action's zod schema; a refusal becomes the action's own error state
 *    (`invalid`), so bad input changes nothing and is answered next to its field.
 * 3. The body gets the parsed input, the actor, the database and the request's IP, user agent and host.
 * 4. The body calls the domain once and turns its error codes into the words users see.
 * 5. Email the body queued is sent after the response (lib/actions/email-delivery.ts), never during it.
 * 6. From the parse on, the work runs in the request's language (lib/auth/locale.ts, lib/i18n/context.ts).
 * Actions are called with the form data last, as both `<form action>` and useActionState call them.
 */
export interface RequestContext {
  db: Db;
  info: Partial<RequestInfo>;
  /** The app's host, for the origin-bound line of a text message. */
  host: string;
  /** The app's origin, for links (APP_URL where set). */
  origin: string;
}

/** For actions that take nothing from the form (a button). */
export const noInput = z.object({});

type FormArgs = [] | [FormData] | [unknown, FormData | undefined];

/** A form's string fields as an object for zod; files and repeated keys are not part of any form here. */
export function formValues(formData: FormData | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  if (!formData) return values;
  for (const [key, value] of formData.entries()) if (typeof value === "string" && !(key in values)) values[key] = value;
  return values;
}

function defineClient<G>(guard: () => Promise<G>) {
  return <S extends z.ZodType, R>(
    schema: S,
    run: (input: z.output<S>, ctx: G & RequestContext) => Promise<R>,
    invalid: (error: z.ZodError, values: Record<string, string>) => R,
  ) =>
    async (...args: FormArgs): Promise<R> => {
      const given = args.at(-1);
      const values = formValues(given instanceof FormData ? given : undefined);
      const guarded = await guard();
      // Everything after the guard speaks the request's language: zod's messages, the domain's words, queued email.
      return withLocale(await requestLocale(), async () => {
        const parsed = schema.safeParse(values);
        if (!parsed.success) return invalid(parsed.error, values);
        const [db, request] = await Promise.all([getDb(), currentRequest()]);
        return withEmailDelivery(() => run(parsed.data, { ...guarded, db, ...request }));
      });
    };
}

/** Anyone: sign-in, sign-up, accepting an invitation. */
export const publicAction = defineClient(async () => ({}));

/** A session halfway through sign-in (password done, second factor awaited). */
export const pendingAction = defineClient(async () => ({ current: await requirePendingSession() }));

/** A fully signed-in user. */
export const accountAction = defineClient(async (): Promise<{ current: ActiveSession; actor: Actor }> => {
  const current = await requireSession();
  return { current, actor: actorOf(current) };
});

/** A fully signed-in user, also while their organisation holds them at MFA setup: the setup itself. */
export const mfaSetupAction = defineClient(async (): Promise<{ current: ActiveSession; actor: Actor }> => {
  const current = await requireSession({ allowMfaSetup: true });
  return { current, actor: actorOf(current) };
});

/** A member whose role allows `operation` (lib/org/permissions.ts); the organisation comes from their session, never the form. */
export function orgAdminAction<S extends z.ZodType, R>(
  schema: S,
  operation: OrgOperation,
  run: (input: z.output<S>, ctx: { current: OrgSession; actor: OrgActor } & RequestContext) => Promise<R>,
  invalid: (error: z.ZodError, values: Record<string, string>) => R,
) {
  return defineClient(async () => {
    const current = await requireOrgPermission(operation);
    return { current, actor: { userId: current.user.id, sessionId: current.session.id, organisationId: current.organisation.id } };
  })(schema, run, invalid);
}

/** The first problem with a form, for dialogs that show one message at a time (next to its field when it has one). */
export function firstIssue(error: z.ZodError): { field?: string; message: string } {
  const issue = error.issues[0];
  const field = issue?.path[0];
  return { field: typeof field === "string" ? field : undefined, message: issue?.message ?? say("words.checkForm") };
}
