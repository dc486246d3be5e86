import { SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { describeBrowser } from "@/lib/account/user-agent";
import { revokeOtherSessionsAction, revokeSessionAction } from "../actions";

type SessionRow = { id: string; ip: string | null; userAgent: string | null; lastSeenAt: Date; createdAt: Date };

function when(date: Date, now: Date) {
  const minutes = Math.round((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 2) return "Active now";
  if (minutes < 60) return `Active ${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `Active ${hours} hours ago`;
  return `Active ${Math.round(hours / 24)} days ago`;
}

export function SessionsCard({ sessions, currentId, now }: { sessions: SessionRow[]; currentId: string; now: Date }) {
  const others = sessions.filter((s) => s.id !== currentId).length;
  return (
    <Card>
      <CardHeader title="Signed-in sessions" description="Browsers where you are signed in. Sign out any you do not recognise." />
      <ul className="divide-y divide-gray-100">
        {sessions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3.5 sm:px-6">
            <div className="min-w-0">
              <p className="text-sm font-medium text-gray-900">
                {describeBrowser(s.userAgent)}
                {s.id === currentId && (
                  <span className="ml-2 rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium text-green-700 ring-1 ring-green-200 ring-inset">
                    This browser
                  </span>
                )}
              </p>
              <p className="text-xs text-gray-500">
                {s.ip ?? "Unknown IP"} · {when(s.lastSeenAt, now)}
              </p>
            </div>
            {s.id !== currentId && (
              <form action={revokeSessionAction}>
                <input type="hidden" name="sessionId" value={s.id} />
                <SubmitButton variant="secondary" className="px-3 py-1.5 text-xs" pendingLabel="Signing out…">
                  Sign out
                </SubmitButton>
              </form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 && (
        <form action={revokeOtherSessionsAction} className="border-t border-gray-100 px-5 py-4 sm:px-6">
          <SubmitButton variant="secondary" pendingLabel="Signing out…">
            Sign out all other sessions
          </SubmitButton>
        </form>
      )}
    </Card>
  );
}
