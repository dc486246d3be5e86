import { SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { describeBrowser } from "@/lib/account/user-agent";
import { formatDay } from "@/lib/org/dates";
import { forgetAllTrustedBrowsersAction, forgetTrustedBrowserAction } from "../trusted-browsers-actions";

type TrustedBrowser = { id: string; userAgent: string | null; createdAt: Date; lastUsedAt: Date; until: Date; current: boolean };

/** Browsers that skip the second factor after the password ("Don't ask again on this browser"), each with Forget. */
export function TrustedBrowsersCard({ browsers }: { browsers: TrustedBrowser[] }) {
  return (
    <Card>
      <CardHeader
        title="Trusted browsers"
        description="Browsers where you chose not to be asked for a code again. They still need your password. Changing your password or a sign-in method forgets them all."
      />
      {browsers.length === 0 ? (
        <p className="px-5 py-4 text-sm text-gray-600 sm:px-6">
          No trusted browsers. When you sign in with a code, tick &ldquo;Don&apos;t ask again on this browser&rdquo; to skip the code there.
        </p>
      ) : (
        <ul className="divide-y divide-gray-100" aria-label="Trusted browsers">
          {browsers.map((b) => (
            <li key={b.id} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3.5 sm:px-6">
              <div className="min-w-0">
                <p className="text-sm font-medium text-gray-900">
                  {describeBrowser(b.userAgent)}
                  {b.current && (
                    <span className="ml-2 rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium text-green-700 ring-1 ring-green-200 ring-inset">
                      This browser
                    </span>
                  )}
                </p>
                <p className="text-xs text-gray-500">
                  Trusted {formatDay(b.createdAt)} · Last used {formatDay(b.lastUsedAt)} · Until {formatDay(b.until)}
                </p>
              </div>
              <form action={forgetTrustedBrowserAction}>
                <input type="hidden" name="id" value={b.id} />
                <SubmitButton
                  variant="secondary"
                  className="px-3 py-1.5 text-xs"
                  pendingLabel="Forgetting…"
                  aria-label={`Forget ${describeBrowser(b.userAgent)}${b.current ? " (this browser)" : ""}`}
                >
                  Forget
                </SubmitButton>
              </form>
            </li>
          ))}
        </ul>
      )}
      {browsers.length > 1 && (
        <form action={forgetAllTrustedBrowsersAction} className="border-t border-gray-100 px-5 py-4 sm:px-6">
          <SubmitButton variant="secondary" pendingLabel="Forgetting…">
            Forget all
          </SubmitButton>
        </form>
      )}
    </Card>
  );
}
