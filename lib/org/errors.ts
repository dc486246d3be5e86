/** Error codes the organisation domain returns; actions turn them into these sentences. */
export const ORG_ERRORS = {
  not_found: "We could not find that member in your organisation.",
  invitation_not_found: "That invitation is no longer pending.",
  forbidden: "Only admins of this organisation can do this.",
  last_admin: "Your organisation needs at least one admin. Make someone else an admin first.",
  cannot_remove_self: "You cannot remove yourself. Ask another admin to do it.",
  cannot_reset_self: "Change your own multi-factor authentication in My account.",
  mfa_not_set_up: "This member does not use multi-factor authentication, so there is nothing to reset.",
  already_member: "This person is already a member of your organisation.",
  step_up_required: "Confirm it is you first.",
  email_unverified: "Confirm your email address before inviting people: open the link we sent you, or use Resend email at the top of the page.",
  throttled: "Too many invitation emails for now. Try again later, or copy the link and send it yourself.",
  deadline_too_far: "Choose a date within a year from today.",
  trusted_browser_days_invalid: "Choose how long members may skip multi-factor authentication on a trusted browser: off, 1, 7 or 30 days.",
  mfa_not_required: "Your organisation does not require multi-factor authentication, so there is nothing to remind anyone of.",
  already_set_up: "This member uses multi-factor authentication already.",
  invitation_invalid: "This invitation link is not valid. Check that you copied the whole link, or ask your admin for a new one.",
  invitation_expired: "This invitation has expired. Ask your admin to invite you again.",
  invitation_used: "This invitation has already been used. Sign in instead.",
  invitation_revoked: "This invitation was withdrawn. Ask your admin if you should still join.",
  email_taken: "An account with this email already exists. Sign in instead.",
  invitation_other_account: "This invitation is for another email address. Sign out, then open the link again.",
  already_in_organisation: "Your account already belongs to an organisation. An account can belong to one organisation only.",
} as const;

export type OrgError = keyof typeof ORG_ERRORS;

/** What an admin acts as: the organisation always comes from their session, never from the form. */
export interface OrgActor {
  userId: string;
  sessionId: string;
  organisationId: string;
}
