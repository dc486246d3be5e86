import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { requireSession } from "@/lib/auth/dal";
import { formatDay } from "@/lib/org/dates";
import { requirementEnforced, policyOf } from "@/lib/org/policy";
import { NoOrganisation } from "./_components/no-organisation";

export const metadata: Metadata = { title: "Home" };

export default async function HomePage() {
  const { user, organisation, membership } = await requireSession();
  const firstName = user.name.split(/\s+/)[0] || user.email;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Welcome back, {firstName}</h1>
        <p className="mt-1 text-sm text-gray-600">
          {organisation
            ? `You are ${membership?.role === "admin" ? "an admin" : "a member"} of ${organisation.name}.`
            : "Your account and its sign-in methods are unchanged. Choose how to go on below."}
        </p>
      </div>
      {!organisation && <NoOrganisation email={user.email} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Card className="p-5">
          <h2 className="text-sm font-semibold text-gray-900">Account security</h2>
          <p className="mt-1 text-sm text-gray-600">
            {user.mfaEnabled
              ? "Multi-factor authentication is on. Your sign-ins need a code from your phone."
              : "Multi-factor authentication is off. Turn it on so a stolen password is not enough to get in."}
          </p>
          <Link href="/account" className="mt-3 inline-block text-sm font-semibold text-blue-700 hover:text-blue-800">
            {user.mfaEnabled ? "Manage in My account" : "Set it up in My account"} <span aria-hidden="true">→</span>
          </Link>
        </Card>
        {organisation && (
          <Card className="p-5">
            <h2 className="text-sm font-semibold text-gray-900">{organisation.name}</h2>
            <p className="mt-1 text-sm text-gray-600">
              {!organisation.mfaRequired
                ? "Your organisation does not require multi-factor authentication yet."
                : requirementEnforced(policyOf(organisation), new Date()) || !organisation.mfaEnforcedFrom
                  ? "Your organisation requires multi-factor authentication for everyone."
                  : `Your organisation requires multi-factor authentication for everyone from ${formatDay(organisation.mfaEnforcedFrom)}.`}
            </p>
          </Card>
        )}
      </div>
    </div>
  );
}
