"use client";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ProofMethods } from "@/app/(app)/_components/step-up";
import { Alert } from "@/components/ui/alert";
import { Button, Spinner } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Switch } from "@/components/ui/switch";
import { useTranslations } from "next-intl";
import { useDateFormat } from "@/components/ui/use-date-format";

// The dialogs (and the phone metadata they carry) load when opened, not with the page.
function Loading() {
  const t = useTranslations("common");
  return (
    <p className="flex items-center gap-2 text-sm text-gray-600">
      <Spinner /> {t("loading")}
    </p>
  );
}
const loading = () => <Loading />;
const SmsRegistration = dynamic(() => import("./mfa/sms-registration").then((m) => m.SmsRegistration), { loading });
const TurnOffMfa = dynamic(() => import("./mfa/turn-off-mfa").then((m) => m.TurnOffMfa), { loading });
const TotpEnrollment = dynamic(() => import("./mfa/totp-enrollment").then((m) => m.TotpEnrollment), { loading });
const RemoveMethod = dynamic(() => import("./method-dialogs").then((m) => m.RemoveMethod), { loading });
const RegenerateBackupCodes = dynamic(() => import("./method-dialogs").then((m) => m.RegenerateBackupCodes), { loading });
const AddPhone = dynamic(() => import("./method-dialogs").then((m) => m.AddPhone), { loading });

type Props = {
  enabled: boolean;
  maskedPhone: string | null;
  orgRequiresMfa: boolean;
  /** ISO date the authenticator app was added; null when there is none. */
  totpAddedAt?: string | null;
  backupCodesLeft?: number;
  /** Few enough backup codes left that the card warns (the server compares with BACKUP_CODES_LOW). */
  backupCodesLow: boolean;
  /** false when the organisation allows authenticator apps only. */
  smsAllowed?: boolean;
  /** false when the organisation allows passkeys only. */
  totpAllowed?: boolean;
  /** The organisation allows passkeys and security keys only: they are added in their own card. */
  passkeysOnly?: boolean;
  passkeyCount?: number;
};
type Open = null | "register" | "change" | "off" | "add-totp" | "replace-totp" | "remove-totp" | "remove-sms" | "add-sms" | "regenerate";

/** The dialogs titled from messages `mfa.titles`. */
const TITLED = ["add-totp", "replace-totp", "remove-totp", "remove-sms", "add-sms", "regenerate"] as const;
type Titled = (typeof TITLED)[number];
const isTitled = (open: Open): open is Titled => (TITLED as readonly (Open)[]).includes(open);

function MethodRow({ title, badge, children, actions }: { title: string; badge?: string; children: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
      <div className="min-w-0">
        <p className="flex items-center gap-2 text-xs font-medium tracking-wide text-gray-500 uppercase">
          {title}
          {badge && <span className="rounded-full bg-green-50 px-2 py-0.5 text-[11px] font-semibold tracking-normal text-green-800 normal-case ring-1 ring-green-200 ring-inset">{badge}</span>}
        </p>
        <div className="mt-0.5 text-sm text-gray-900">{children}</div>
      </div>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </li>
  );
}

export function MfaCard({
  enabled,
  maskedPhone,
  orgRequiresMfa,
  totpAddedAt = null,
  backupCodesLeft = 0,
  backupCodesLow,
  smsAllowed = true,
  totpAllowed = true,
  passkeysOnly = false,
  passkeyCount = 0,
}: Props) {
  const router = useRouter();
  const t = useTranslations("mfa");
  const dateFormat = useDateFormat({ day: "numeric", month: "long", year: "numeric" });
  const [wantsOn, setWantsOn] = useState(false);
  const [open, setOpen] = useState<Open>(null);
  const [message, setMessage] = useState<string | null>(null);

  const checked = enabled || wantsOn;
  const hasTotp = Boolean(totpAddedAt);
  const hasSms = Boolean(maskedPhone);
  const methodCount = Number(hasTotp) + Number(hasSms) + passkeyCount;
  const proof: ProofMethods = { totp: hasTotp, passkeys: passkeyCount, smsLast4: maskedPhone ? maskedPhone.replace(/^\D+/, "") : null, backupCodesLeft };

  const onToggle = (next: boolean) => {
    setMessage(null);
    if (next) setWantsOn(true);
    else if (enabled) setOpen("off");
    else setWantsOn(false);
  };
  const close = () => {
    setOpen(null);
    // Closing the registration midway leaves MFA off: nothing was stored.
    if (!enabled) setWantsOn(false);
    // A dialog closed after its change (while showing backup codes, say) still leaves the card current.
    router.refresh();
  };
  const done = (text: string) => {
    setOpen(null);
    setWantsOn(false);
    setMessage(text);
    router.refresh();
  };
  const openDialog = (which: Open) => {
    setMessage(null);
    setOpen(which);
  };

  const removable = !(orgRequiresMfa && methodCount === 1);

  return (
    <Card>
      <CardHeader
        title={t("title")}
        description={t("description")}
      />
      <div className="space-y-4 px-5 py-5 sm:px-6">
        {message && <Alert tone="success">{message}</Alert>}
        <Switch
          id="mfa-switch"
          label={t("switch")}
          checked={checked}
          onChange={onToggle}
          disabled={enabled && orgRequiresMfa}
          describedBy="mfa-status"
        />
        <div id="mfa-status">
          {enabled ? (
            <div className="space-y-3">
              <div>
                <h3 className="text-sm font-semibold text-gray-900">{t("methods")}</h3>
                <p className="mt-0.5 text-xs text-gray-600">{t("recommend")}</p>
              </div>
              <ul aria-label={t("methods")} className="divide-y divide-gray-200 rounded-lg bg-gray-50 ring-1 ring-gray-200 ring-inset">
                <MethodRow
                  title={t("passkeys.title")}
                  badge={t("passkeys.badge")}
                  actions={
                    <a href="#passkeys" className="rounded text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                      {passkeyCount > 0 ? t("passkeys.manage") : t("passkeys.add")}
                    </a>
                  }
                >
                  <span data-testid="passkey-count">
                    {t("passkeys.count", { count: passkeyCount })}
                  </span>
                </MethodRow>
                <MethodRow
                  title={t("totp.title")}
                  badge={t("totp.badge")}
                  actions={
                    hasTotp ? (
                      <>
                        <Button variant="secondary" onClick={() => openDialog("replace-totp")} aria-label={t("totp.replaceLabel")}>
                          {t("totp.replace")}
                        </Button>
                        {removable && (
                          <Button variant="secondary" onClick={() => openDialog("remove-totp")} aria-label={t("totp.removeLabel")}>
                            {t("remove")}
                          </Button>
                        )}
                      </>
                    ) : totpAllowed ? (
                      <Button onClick={() => openDialog("add-totp")}>{t("totp.add")}</Button>
                    ) : null
                  }
                >
                  {totpAddedAt ? (
                    <>
                      {t.rich("totp.added", { date: dateFormat.format(new Date(totpAddedAt)), time: (chunks) => <time dateTime={totpAddedAt}>{chunks}</time> })}
                      {!totpAllowed && (
                        <span className="mt-0.5 block text-xs text-gray-600">{t("totp.passkeysOnly")}</span>
                      )}
                    </>
                  ) : (
                    <span className="text-gray-600">
                      {totpAllowed ? t("totp.notSetUp") : t("notAllowed")}
                    </span>
                  )}
                </MethodRow>
                <MethodRow
                  title={t("sms.title")}
                  actions={
                    hasSms ? (
                      <>
                        {smsAllowed && (
                          <Button variant="secondary" onClick={() => openDialog("change")}>
                            {t("sms.change")}
                          </Button>
                        )}
                        {removable && (
                          <Button variant="secondary" onClick={() => openDialog("remove-sms")} aria-label={t("sms.removeLabel")}>
                            {t("remove")}
                          </Button>
                        )}
                      </>
                    ) : smsAllowed && hasTotp ? (
                      <Button variant="secondary" onClick={() => openDialog("add-sms")}>
                        {t("sms.add")}
                      </Button>
                    ) : null
                  }
                >
                  {hasSms ? (
                    <>
                      <span className="font-mono" data-testid="mfa-phone">
                        {maskedPhone}
                      </span>
                      {!smsAllowed && (
                        <span className="mt-0.5 block text-xs text-gray-600">{t("sms.appsOnly")}</span>
                      )}
                    </>
                  ) : (
                    <span className="text-gray-600">{smsAllowed ? t("sms.notSetUp") : t("notAllowed")}</span>
                  )}
                </MethodRow>
                <MethodRow
                  title={t("backup.title")}
                  actions={
                    <Button variant="secondary" onClick={() => openDialog("regenerate")} aria-label={t("backup.regenerateLabel")}>
                      {t("backup.regenerate")}
                    </Button>
                  }
                >
                  <span data-testid="backup-codes-left">{t("backup.left", { count: backupCodesLeft, total: 10 })}</span>
                  <span className="mt-0.5 block text-xs text-gray-600">{t("backup.hint")}</span>
                </MethodRow>
              </ul>
              {backupCodesLow && (
                <Alert tone="warning">
                  {t("backup.low", { count: backupCodesLeft })}
                </Alert>
              )}
            </div>
          ) : wantsOn ? (
            passkeysOnly ? (
              <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-blue-50 px-4 py-3 ring-1 ring-blue-200 ring-inset">
                <p className="text-sm text-blue-900">{t("passkeysOnly")}</p>
                <a href="#passkeys" className="rounded-md bg-blue-600 px-4 py-2 text-sm font-semibold text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600">
                  {t("addPasskey")}
                </a>
              </div>
            ) : smsAllowed ? (
              <div className="space-y-3">
                <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-blue-50 px-4 py-3 ring-1 ring-blue-200 ring-inset">
                  <p className="text-sm text-blue-900">{t("registerPrompt")}</p>
                  <Button onClick={() => setOpen("register")}>{t("register")}</Button>
                </div>
                <p className="text-sm text-gray-600">
                  {t.rich("alternatives", {
                    app: (chunks) => (
                      <button
                        type="button"
                        onClick={() => setOpen("add-totp")}
                        className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600"
                      >
                        {chunks}
                      </button>
                    ),
                    passkey: (chunks) => (
                      <a href="#passkeys" className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                        {chunks}
                      </a>
                    ),
                  })}
                </p>
              </div>
            ) : (
              <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-blue-50 px-4 py-3 ring-1 ring-blue-200 ring-inset">
                <p className="text-sm text-blue-900">{t("appsOnly")}</p>
                <Button onClick={() => setOpen("add-totp")}>{t("register")}</Button>
              </div>
            )
          ) : (
            <p className="text-sm text-gray-600">{t("off")}</p>
          )}
          {enabled && orgRequiresMfa && (
            <p className="mt-3 text-xs text-gray-500">{t("required")}</p>
          )}
        </div>
      </div>
      <Dialog open={open === "register" || open === "change"} onClose={close} title={open === "change" ? t("titles.change") : t("titles.register")}>
        <SmsRegistration
          mode={open === "change" ? "change" : "register"}
          onSaved={() => done(open === "change" ? t("done.changed") : t("done.on"))}
        />
      </Dialog>
      <Dialog open={open === "off"} onClose={close} title={t("titles.off")}>
        <TurnOffMfa methods={proof} onDone={() => done(t("done.off"))} />
      </Dialog>
      <Dialog open={isTitled(open)} onClose={close} title={isTitled(open) ? t(`titles.${open}`) : ""}>
        {(open === "add-totp" || open === "replace-totp") && (
          <TotpEnrollment methods={enabled ? proof : null} replacing={open === "replace-totp"} onDone={done} />
        )}
        {(open === "remove-totp" || open === "remove-sms") && (
          <RemoveMethod kind={open === "remove-totp" ? "totp" : "sms"} methods={proof} last={methodCount === 1} onDone={done} />
        )}
        {open === "regenerate" && <RegenerateBackupCodes methods={proof} onDone={done} />}
        {open === "add-sms" && <AddPhone methods={proof} onDone={done} />}
      </Dialog>
    </Card>
  );
}
