import type { Role } from "./schemas";

/**
 * Who may do what in an organisation: each operation, the roles allowed to perform it, and whether it needs
 * a fresh step-up. Every check reads this table (the DAL's requireOrgPermission for pages and actions,
 * lockWithPermission inside the domain's transactions), and the authorization tests iterate over it, so an
 * operation without a row cannot be written and one without a test fails.
 *
 * `stepUp`: the operation changes who can get in (an account joins, a role grows or shrinks, a factor goes,
 * the rules for factors change), so the admin must have proved their password and, if they have one, a
 * second factor in this session within the last 10 minutes (lib/mfa/step-up.ts hasFreshStepUp; ASVS 5.0
 * 7.5.1, NIST SP 800-63B 4.6, GitHub "sudo mode"). A stolen admin cookie alone cannot invite an attacker.
 * Renaming the organisation, revoking an invitation and sending it again let nobody new in, so they
 * need the role only: asking for a proof there would teach admins to prove themselves for nothing.
 */
export const ORG_PERMISSIONS = {
  /** Open organisation settings: the member list with each member's MFA, invitations, the policy. */
  "organisation.view_settings": { roles: ["admin"], stepUp: false },
  "organisation.rename": { roles: ["admin"], stepUp: false },
  "invitations.create": { roles: ["admin"], stepUp: true },
  "invitations.revoke": { roles: ["admin"], stepUp: false },
  /** A new link to the same address (the old one stops working): nobody new can get in. */
  "invitations.resend": { roles: ["admin"], stepUp: false },
  "members.change_role": { roles: ["admin"], stepUp: true },
  "members.remove": { roles: ["admin"], stepUp: true },
  "members.reset_mfa": { roles: ["admin"], stepUp: true },
  "mfa_policy.change": { roles: ["admin"], stepUp: true },
  /** Email members without MFA a reminder: it changes nothing about who can get in. Limited per organisation. */
  "members.remind_mfa": { roles: ["admin"], stepUp: false },
  /** Read every audited event of the organisation's members (the security log), and export it as CSV. */
  "security_log.view": { roles: ["admin"], stepUp: false },
} as const satisfies Record<string, { roles: readonly Role[]; stepUp: boolean }>;

export type OrgOperation = keyof typeof ORG_PERMISSIONS;

export const ORG_OPERATIONS = Object.keys(ORG_PERMISSIONS) as OrgOperation[];

export function can(role: Role | null | undefined, operation: OrgOperation): boolean {
  return role != null && (ORG_PERMISSIONS[operation].roles as readonly Role[]).includes(role);
}

/** Whether the operation needs a fresh step-up of the admin's session (the table's `stepUp`). */
export function needsStepUp(operation: OrgOperation): boolean {
  return ORG_PERMISSIONS[operation].stepUp;
}

/** The operations behind a fresh step-up, from the table. */
export const STEP_UP_OPERATIONS: readonly OrgOperation[] = ORG_OPERATIONS.filter(needsStepUp);
