import type { Metadata } from "next";
import { getT, requestLocale } from "@/lib/auth/locale";
import { Card, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { requireSession } from "@/lib/auth/dal";
import { listMethods, methodHolder, summarize } from "@/lib/mfa/methods";
import { mayRemoveLastFactor, methodAllowed, policyOf } from "@/lib/org/policy";
import { BACKUP_CODES_LOW } from "@/lib/mfa/backup-codes/codes";
import { maskPhone } from "@/lib/phone/parse";
import { listUserEvents } from "@/lib/audit/events";
import { listActiveSessions } from "@/lib/auth/sessions";
import { pendingEmailChange } from "@/lib/auth/email-change";
import { currentDeviceId } from "@/lib/auth/device-cookie";
import { listTrustedBrowsers } from "@/lib/auth/trusted-browsers";
import { EmailRow } from "./_components/email-row";
import { ActivityCard } from "./_components/activity-card";
import { MfaCard } from "./_components/mfa-card";
import { ReenrolProofProvider } from "./_components/mfa/reenrol-proof";
import { PasskeysCard } from "./_components/passkeys-card";
import { PasswordCard } from "./_components/password-card";
import { SessionsCard } from "./_components/sessions-card";
import { TrustedBrowsersCard } from "./_components/trusted-browsers-card";
import { LanguageRow } from "./_components/language-row";
import { setLanguageAction } from "./language-actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("account"))("title") };
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 px-5 py-3.5 sm:grid-cols-3 sm:gap-4 sm:px-6">
      <dt className="text-sm font-medium text-gray-500">{label}</dt>
      <dd className="text-sm text-gray-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

export default async function AccountPage() {
  const { user, organisation, membership, session } = await requireSession();
  const db = await getDb();
  const now = new Date();
  const deviceId = await currentDeviceId();
  const [methods, sessions, events, pendingEmail, trusted] = await Promise.all([
    listMethods(db, user.id),
    listActiveSessions(db, user.id, now),
    listUserEvents(db, user.id, 15),
    pendingEmailChange(db, user.id, now),
    listTrustedBrowsers(db, user.id, { deviceId, now }),
  ]);
  const policy = policyOf(organisation);
  const summary = summarize(methods);
  const factorCount = methods.passkeys.length + Number(Boolean(methods.totp)) + Number(Boolean(methods.sms));
  const [t, locale] = await Promise.all([getT("account"), requestLocale()]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-gray-600">{t("intro")}</p>
      </div>
      <Card>
        <CardHeader title={t("profile.title")} />
        <dl className="divide-y divide-gray-100">
          <Row label={t("profile.name")}>{user.name}</Row>
          <Row label={t("profile.email")}>
            <EmailRow
              email={user.email}
              pending={pendingEmail ? { email: pendingEmail.email, expiresAt: pendingEmail.expiresAt.toISOString() } : null}
              methods={summarize(methods)}
              hasFactor={methods.available.length > 0}
            />
          </Row>
          <Row label={t("profile.organisation")}>{organisation?.name ?? t("profile.none")}</Row>
          <Row label={t("profile.role")}>{membership?.role === "admin" ? t("profile.admin") : t("profile.member")}</Row>
        </dl>
      </Card>
      <Card>
        <CardHeader title={t("language.row")} description={t("language.label")} />
        <div className="px-5 py-4 sm:px-6">
          <LanguageRow current={locale} action={setLanguageAction} />
        </div>
      </Card>
      {/* After an admin's reset, enrolling again needs the proof the admin chose besides the password (lib/mfa/reenrol.ts). */}
      <ReenrolProofProvider need={user.mfaReenrolProof ? { proof: user.mfaReenrolProof, email: user.email } : null}>
      <MfaCard
        enabled={user.mfaEnabled && factorCount > 0}
        passkeyCount={methods.passkeys.length}
        totpAllowed={methodAllowed(policy, "enroll", "totp", methodHolder(methods))}
        passkeysOnly={policy.methods === "passkey_only"}
        maskedPhone={user.mfaEnabled && methods.sms ? maskPhone(methods.sms.phone) : null}
        orgRequiresMfa={!mayRemoveLastFactor(policy)}
        totpAddedAt={user.mfaEnabled && methods.totp ? methods.totp.addedAt.toISOString() : null}
        backupCodesLeft={methods.backupCodesLeft}
        smsAllowed={methodAllowed(policy, "enroll", "sms", methodHolder(methods))}
        backupCodesLow={methods.backupCodesLeft <= BACKUP_CODES_LOW}
      />
      <PasskeysCard
        passkeys={methods.passkeys.map((p) => ({ id: p.id, name: p.name, addedAt: p.addedAt.toISOString(), lastUsedAt: p.lastUsedAt?.toISOString() ?? null }))}
        proof={factorCount > 0 ? summary : null}
        allowed={methodAllowed(policy, "enroll", "passkey", methodHolder(methods))}
        lastRemovable={mayRemoveLastFactor(policy)}
        factorCount={factorCount}
      />
      </ReenrolProofProvider>
      <PasswordCard />
      <SessionsCard sessions={sessions} currentId={session.id} now={now} />
      <TrustedBrowsersCard browsers={trusted} />
      <ActivityCard events={events} />
    </div>
  );
}
