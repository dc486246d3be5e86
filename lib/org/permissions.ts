import type { Role } from "./schemas";

/**
 * Who may do what in an organisation: each operation and the roles allowed to perform it. Every check
 * reads this table (the DAL's requireOrgPermission for pages and actions, lockWithPermission inside the
 * domain's transactions), and the authorization tests iterate over it, so an operation without a row
 * cannot be written and one without a test fails.
 */
export const ORG_PERMISSIONS = {
  /** Open organisation settings: the member list with each member's MFA, invitations, the policy. */
  "organisation.view_settings": ["admin"],
  "organisation.rename": ["admin"],
  "invitations.create": ["admin"],
  "invitations.revoke": ["admin"],
  "members.change_role": ["admin"],
  "members.remove": ["admin"],
  "members.reset_mfa": ["admin"],
  "mfa_policy.change": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type OrgOperation = keyof typeof ORG_PERMISSIONS;

export const ORG_OPERATIONS = Object.keys(ORG_PERMISSIONS) as OrgOperation[];

export function can(role: Role | null | undefined, operation: OrgOperation): boolean {
  return role != null && (ORG_PERMISSIONS[operation] as readonly Role[]).includes(role);
}
