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

// The dialogs (and the phone metadata they carry) load when opened, not with the page.
const loading = () => (
  <p className="flex items-center gap-2 text-sm text-gray-600">
    <Spinner /> Loading…
  </p>
);
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

const TITLES: Partial<Record<NonNullable<Open>, string>> = {
  "add-totp": "Add an authenticator app",
  "replace-totp": "Replace your authenticator app",
  "remove-totp": "Remove your authenticator app",
  "remove-sms": "Remove your phone number",
  "add-sms": "Add a phone number",
  regenerate: "New backup codes",
};

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

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
        title="Multi-factor authentication"
        description="After your password, sign-in asks for your passkey or a code from your authenticator app or phone, so a stolen password alone is not enough."
      />
      <div className="space-y-4 px-5 py-5 sm:px-6">
        {message && <Alert tone="success">{message}</Alert>}
        <Switch
          id="mfa-switch"
          label="Use multi-factor authentication"
          checked={checked}
          onChange={onToggle}
          disabled={enabled && orgRequiresMfa}
          describedBy="mfa-status"
        />
        <div id="mfa-status">
          {enabled ? (
            <div className="space-y-3">
              <div>
                <h3 className="text-sm font-semibold text-gray-900">Sign-in methods</h3>
                <p className="mt-0.5 text-xs text-gray-600">
                  We recommend a passkey or an authenticator app: text messages can be intercepted or moved to another SIM card, which is why
                  NIST calls SMS a restricted method.
                </p>
              </div>
              <ul aria-label="Sign-in methods" className="divide-y divide-gray-200 rounded-lg bg-gray-50 ring-1 ring-gray-200 ring-inset">
                <MethodRow
                  title="Passkeys and security keys"
                  badge="Phishing-resistant"
                  actions={
                    <a href="#passkeys" className="rounded text-sm font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                      {passkeyCount > 0 ? "Manage" : "Add"}
                    </a>
                  }
                >
                  <span data-testid="passkey-count">
                    {passkeyCount === 0 ? "None yet" : passkeyCount === 1 ? "1 passkey" : `${passkeyCount} passkeys`}
                  </span>
                </MethodRow>
                <MethodRow
                  title="Authenticator app"
                  badge="Recommended"
                  actions={
                    hasTotp ? (
                      <>
                        <Button variant="secondary" onClick={() => openDialog("replace-totp")} aria-label="Replace authenticator app">
                          Replace
                        </Button>
                        {removable && (
                          <Button variant="secondary" onClick={() => openDialog("remove-totp")} aria-label="Remove authenticator app">
                            Remove
                          </Button>
                        )}
                      </>
                    ) : totpAllowed ? (
                      <Button onClick={() => openDialog("add-totp")}>Add authenticator app</Button>
                    ) : null
                  }
                >
                  {totpAddedAt ? (
                    <>
                      Added <time dateTime={totpAddedAt}>{dateFormat.format(new Date(totpAddedAt))}</time>
                      {!totpAllowed && (
                        <span className="mt-0.5 block text-xs text-gray-600">Your organisation allows passkeys only. You can remove this app.</span>
                      )}
                    </>
                  ) : (
                    <span className="text-gray-600">
                      {totpAllowed ? "Not set up. Codes from an app such as Authy or Google Authenticator." : "Not allowed by your organisation."}
                    </span>
                  )}
                </MethodRow>
                <MethodRow
                  title="Text message (SMS)"
                  actions={
                    hasSms ? (
                      <>
                        {smsAllowed && (
                          <Button variant="secondary" onClick={() => openDialog("change")}>
                            Change number
                          </Button>
                        )}
                        {removable && (
                          <Button variant="secondary" onClick={() => openDialog("remove-sms")} aria-label="Remove phone number">
                            Remove
                          </Button>
                        )}
                      </>
                    ) : smsAllowed && hasTotp ? (
                      <Button variant="secondary" onClick={() => openDialog("add-sms")}>
                        Add phone number
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
                        <span className="mt-0.5 block text-xs text-gray-600">Your organisation allows authenticator apps only. You can remove this number.</span>
                      )}
                    </>
                  ) : (
                    <span className="text-gray-600">{smsAllowed ? "Not set up." : "Not allowed by your organisation."}</span>
                  )}
                </MethodRow>
                <MethodRow
                  title="Backup codes"
                  actions={
                    <Button variant="secondary" onClick={() => openDialog("regenerate")} aria-label="Regenerate backup codes">
                      Regenerate
                    </Button>
                  }
                >
                  <span data-testid="backup-codes-left">{backupCodesLeft} of 10 left</span>
                  <span className="mt-0.5 block text-xs text-gray-600">For when you cannot use your app or phone. Each works once.</span>
                </MethodRow>
              </ul>
              {backupCodesLow && (
                <Alert tone="warning">
                  {backupCodesLeft === 0 ? "You have no backup codes left." : `Only ${backupCodesLeft} backup ${backupCodesLeft === 1 ? "code" : "codes"} left.`}{" "}
                  Regenerate them so you can still sign in if you lose your phone.
                </Alert>
              )}
            </div>
          ) : wantsOn ? (
            passkeysOnly ? (
              <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-blue-50 px-4 py-3 ring-1 ring-blue-200 ring-inset">
                <p className="text-sm text-blue-900">Your organisation allows passkeys and security keys only. Add one to turn this on.</p>
                <a href="#passkeys" className="rounded-md bg-blue-600 px-4 py-2 text-sm font-semibold text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600">
                  Add a passkey
                </a>
              </div>
            ) : smsAllowed ? (
              <div className="space-y-3">
                <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-blue-50 px-4 py-3 ring-1 ring-blue-200 ring-inset">
                  <p className="text-sm text-blue-900">Register the phone number that should receive your codes.</p>
                  <Button onClick={() => setOpen("register")}>Register</Button>
                </div>
                <p className="text-sm text-gray-600">
                  Or{" "}
                  <button
                    type="button"
                    onClick={() => setOpen("add-totp")}
                    className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600"
                  >
                    use an authenticator app instead
                  </button>{" "}
                  (recommended: stronger than text messages), or{" "}
                  <a href="#passkeys" className="rounded font-semibold text-blue-700 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                    add a passkey
                  </a>
                  .
                </p>
              </div>
            ) : (
              <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-blue-50 px-4 py-3 ring-1 ring-blue-200 ring-inset">
                <p className="text-sm text-blue-900">
                  Your organisation allows authenticator apps only, so text messages are not offered. Register an app such as Authy or Google
                  Authenticator.
                </p>
                <Button onClick={() => setOpen("add-totp")}>Register</Button>
              </div>
            )
          ) : (
            <p className="text-sm text-gray-600">Off. Switch it on to register your phone number.</p>
          )}
          {enabled && orgRequiresMfa && (
            <p className="mt-3 text-xs text-gray-500">Your organisation requires multi-factor authentication, so it cannot be switched off.</p>
          )}
        </div>
      </div>
      <Dialog open={open === "register" || open === "change"} onClose={close} title={open === "change" ? "Change your number" : "Register your phone number"}>
        <SmsRegistration
          mode={open === "change" ? "change" : "register"}
          onSaved={() => done(open === "change" ? "Your number is changed. Other sessions were signed out." : "Multi-factor authentication is on.")}
        />
      </Dialog>
      <Dialog open={open === "off"} onClose={close} title="Turn off multi-factor authentication">
        <TurnOffMfa methods={proof} onDone={() => done("Multi-factor authentication is off. Other sessions were signed out.")} />
      </Dialog>
      <Dialog open={Boolean(open && TITLES[open])} onClose={close} title={(open && TITLES[open]) || ""}>
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
