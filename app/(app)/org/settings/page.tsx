import type { Metadata } from "next";
import { Alert } from "@/components/ui/alert";
import { getDb } from "@/db/client";
import { requireOrgPermission } from "@/lib/auth/dal";
import { getT, inRequestLanguage } from "@/lib/auth/locale";
import { REAUTH_WINDOW_MS } from "@/lib/auth/reauth";
import { listMethods, summarize } from "@/lib/mfa/methods";
import { listPendingInvitations } from "@/lib/org/invitations";
import { describeMemberMfa, listMembers, mfaCoverage } from "@/lib/org/members";
import { remindedToday } from "@/lib/org/mfa-reminders";
import { getOrganisation } from "@/lib/org/organisation";
import { requirementEnforced } from "@/lib/org/policy";
import { InviteCard } from "./_components/invite-card";
import { MembersCard, type MemberRow } from "./_components/members-card";
import { MfaPolicyCard } from "./_components/mfa-policy-card";
import { OrgNameCard } from "./_components/org-name-card";
import { SettingsNav } from "./_components/settings-nav";
import { StepUpGate } from "./_components/step-up-gate";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("orgSettings"))("title") };
}

type T = Awaited<ReturnType<typeof getT<"orgSettings">>>;

function expiresIn(t: T, at: Date, now: Date) {
  const hours = Math.max(0, Math.round((at.getTime() - now.getTime()) / 3_600_000));
  if (hours < 1) return t("expires.soon");
  if (hours < 36) return t("expires.hours", { hours });
  return t("expires.days", { days: Math.round(hours / 24) });
}

/** Admins only: the server refuses everyone else, whatever a link or the menu says. */
export default async function OrgSettingsPage({ searchParams }: { searchParams?: Promise<Record<string, string | string[] | undefined>> } = {}) {
  const current = await requireOrgPermission("organisation.view_settings");
  const t = await getT("orgSettings");
  const created = (await searchParams)?.created === "1";
  const db = await getDb();
  const now = new Date();
  const [org, members, invitations, methods, reminded] = await Promise.all([
    getOrganisation(db, current.organisation.id),
    listMembers(db, current.organisation.id),
    listPendingInvitations(db, current.organisation.id, now),
    listMethods(db, current.user.id),
    remindedToday(db, current.organisation.id, now),
  ]);
  const required = Boolean(org?.mfaRequired);
  const inGrace = Boolean(org && required && !requirementEnforced({ required, enforcedFrom: org.mfaEnforcedFrom, methods: org.mfaMethods }, now));
  // The members' methods in the page's language ("Sms eindigend op 1234").
  const rows: MemberRow[] = await inRequestLanguage(() => members.map((m) => ({
    userId: m.userId,
    name: m.name,
    email: m.email,
    role: m.role,
    mfaEnabled: m.mfa.enabled,
    mfaLabel: describeMemberMfa(m.mfa),
    isYou: m.userId === current.user.id,
    reenrolProof: m.reenrolProof,
  })));
  const coverage = mfaCoverage(members);
  const adminCount = members.filter((m) => m.role === "admin").length;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-gray-600">{t("intro", { organisation: org?.name ?? current.organisation.name })}</p>
      </div>
      <SettingsNav current="general" />
      {created && <Alert tone="success">{t("created")}</Alert>}
      <OrgNameCard name={org?.name ?? current.organisation.name} />
      {/* Changes to who can get in ask for a fresh step-up first (lib/org/permissions.ts); renaming does not. */}
      <StepUpGate windowMs={REAUTH_WINDOW_MS} methods={methods.available.length > 0 ? summarize(methods) : null}>
        <MfaPolicyCard
          required={required}
          requiredSince={org?.mfaRequiredAt?.toISOString() ?? null}
          enforcedFrom={org?.mfaEnforcedFrom?.toISOString() ?? null}
          inGrace={inGrace}
          methods={org?.mfaMethods ?? "any"}
          trustedBrowserDays={current.organisation.trustedBrowserDays}
          coverage={coverage}
          withoutMfa={rows
            .filter((m) => !m.mfaEnabled)
            .map((m) => ({ userId: m.userId, name: m.name, email: m.email, isYou: m.isYou, remindedToday: reminded.has(m.userId) }))}
        />
        <MembersCard members={rows} adminCount={adminCount} orgRequiresMfa={required} />
        <InviteCard
          invitations={invitations.map((i) => ({
            id: i.id,
            email: i.email,
            role: i.role,
            expiresLabel: expiresIn(t, i.expiresAt, now),
            invitedByName: i.invitedByName,
          }))}
        />
      </StepUpGate>
    </div>
  );
}
