/** Who an MFA operation acts for: a fully signed-in user in one session. */
export interface Actor {
  userId: string;
  sessionId: string;
  organisationId: string | null;
  /** When the password was last re-entered in this session (lib/auth/reauth.ts). */
  reauthenticatedAt: Date | null;
}

export function actorOf(current: {
  user: { id: string };
  session: { id: string; reauthenticatedAt: Date | null };
  organisation: { id: string } | null;
}): Actor {
  return {
    userId: current.user.id,
    sessionId: current.session.id,
    organisationId: current.organisation?.id ?? null,
    reauthenticatedAt: current.session.reauthenticatedAt,
  };
}
