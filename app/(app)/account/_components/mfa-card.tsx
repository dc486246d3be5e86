"use client";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useState } from "react";
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
const SmsRegistration = dynamic(() => import("@/components/mfa/sms-registration").then((m) => m.SmsRegistration), { loading });
const TurnOffMfa = dynamic(() => import("@/components/mfa/turn-off-mfa").then((m) => m.TurnOffMfa), { loading });

type Props = { enabled: boolean; maskedPhone: string | null; orgRequiresMfa: boolean };
type Open = null | "register" | "change" | "off";

export function MfaCard({ enabled, maskedPhone, orgRequiresMfa }: Props) {
  const router = useRouter();
  const [wantsOn, setWantsOn] = useState(false);
  const [open, setOpen] = useState<Open>(null);
  const [message, setMessage] = useState<string | null>(null);

  const checked = enabled || wantsOn;
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
  };
  const done = (text: string) => {
    setOpen(null);
    setWantsOn(false);
    setMessage(text);
    router.refresh();
  };

  return (
    <Card>
      <CardHeader
        title="Multi-factor authentication"
        description="After your password, sign-in asks for a code sent to your phone, so a stolen password alone is not enough."
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
          {enabled && maskedPhone ? (
            <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-gray-50 px-4 py-3 ring-1 ring-gray-200 ring-inset">
              <div>
                <p className="text-xs font-medium tracking-wide text-gray-500 uppercase">Text message (SMS)</p>
                <p className="mt-0.5 font-mono text-sm text-gray-900" data-testid="mfa-phone">
                  {maskedPhone}
                </p>
              </div>
              <Button variant="secondary" onClick={() => setOpen("change")}>
                Change number
              </Button>
            </div>
          ) : wantsOn ? (
            <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-blue-50 px-4 py-3 ring-1 ring-blue-200 ring-inset">
              <p className="text-sm text-blue-900">Register the phone number that should receive your codes.</p>
              <Button onClick={() => setOpen("register")}>Register</Button>
            </div>
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
        <TurnOffMfa maskedPhone={maskedPhone ?? ""} onDone={() => done("Multi-factor authentication is off. Other sessions were signed out.")} />
      </Dialog>
    </Card>
  );
}
