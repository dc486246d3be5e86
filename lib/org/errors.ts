import { localizedWords } from "@/lib/i18n/context";
import { ENGLISH } from "@/lib/i18n/messages";

/** Error codes the organisation domain returns; actions turn them into these sentences (messages/*.json `errors.org`). */
export const ORG_ERRORS = localizedWords("errors.org", ENGLISH.errors.org);

export type OrgError = keyof typeof ORG_ERRORS;

/** What an admin acts as: the organisation always comes from their session, never from the form. */
export interface OrgActor {
  userId: string;
  sessionId: string;
  organisationId: string;
}
