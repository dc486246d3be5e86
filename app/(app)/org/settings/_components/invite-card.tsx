"use client";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { useTranslations } from "next-intl";
import { createInvitationAction, type InviteState, type OrgState, resendInvitationAction, revokeInvitationAction } from "../actions";
import { useStepUpForm } from "./step-up-gate";

type Invitation = { id: string; email: string; role: "admin" | "member"; expiresLabel: string; invitedByName: string | null };

export function InviteCard({ invitations }: { invitations: Invitation[] }) {
  const t = useTranslations("orgSettings.invite");
  const [state, action] = useActionState(createInvitationAction, { status: "idle" } as InviteState);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  const stepUp = useStepUpForm(
    email.trim()
      ? t(role === "admin" ? "stepUpAdmin" : "stepUpMember", { email: email.trim() })
      : t(role === "admin" ? "stepUpSomeoneAdmin" : "stepUpSomeoneMember"),
    state,
  );
  useEffect(() => {
    if (state.status === "created") {
      setEmail("");
      setRole("member");
    }
  }, [state]);
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <div className="space-y-5 px-5 py-5 sm:px-6">
        <form action={action} {...stepUp.form} className="space-y-4" noValidate>
          {state.status === "error" && state.message && <Alert tone={state.stepUp ? "info" : "error"}>{state.message}</Alert>}
          <div className="grid gap-4 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
            <Field
              label={t("email")}
              name="email"
              type="email"
              autoComplete="off"
              required
              maxLength={254}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errors.email}
              placeholder={t("placeholder")}
            />
            <RoleSelect value={role} onChange={setRole} error={errors.role} />
            <SubmitButton pendingLabel={t("sending")} className="sm:mt-7">
              {t("send")}
            </SubmitButton>
          </div>
        </form>
        {state.status === "created" && <CreatedLink key={state.link} email={state.email} link={state.link} replaced={state.replaced} emailed={state.emailed} />}
      </div>
      <div className="border-t border-gray-100">
        <h3 className="px-5 pt-4 text-sm font-semibold text-gray-900 sm:px-6" id="pending-heading">
          {t("pending")}
        </h3>
        {invitations.length === 0 ? (
          <p className="px-5 pt-1 pb-5 text-sm text-gray-600 sm:px-6">{t("none")}</p>
        ) : (
          <ul aria-labelledby="pending-heading" className="mt-2 divide-y divide-gray-100">
            {invitations.map((i) => (
              <InvitationItem key={i.id} invitation={i} />
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}

function RoleSelect({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  const t = useTranslations("orgSettings.invite");
  return (
    <div>
      <label htmlFor="invite-role" className="block text-sm font-medium text-gray-900">
        {t("role")}
      </label>
      <select
        id="invite-role"
        name="role"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "invite-role-error" : undefined}
        className={`mt-1.5 block w-full rounded-lg border-0 bg-white py-2.5 pr-8 pl-3 text-sm text-gray-900 shadow-xs ring-1 ring-inset focus:ring-2 focus:ring-inset focus:outline-none ${
          error ? "ring-red-400 focus:ring-red-600" : "ring-gray-300 focus:ring-blue-600"
        }`}
      >
        <option value="member">{t("roles.member")}</option>
        <option value="admin">{t("roles.admin")}</option>
      </select>
      {error && (
        <p id="invite-role-error" className="mt-1.5 text-sm text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}

/** The link exists only in this response: the server keeps just its hash, so it is shown once. */
function CreatedLink({ email, link, replaced, emailed }: { email: string; link: string; replaced: boolean; emailed: boolean }) {
  const t = useTranslations("orgSettings.invite.created");
  const [copied, setCopied] = useState<null | "yes" | "manual">(null);
  const input = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied("yes");
    } catch {
      input.current?.select();
      setCopied("manual");
    }
  };
  return (
    <div className="space-y-3 rounded-lg bg-green-50 px-4 py-4 ring-1 ring-green-200 ring-inset" role="status">
      <p className="text-sm text-green-900">
        {t.rich(emailed ? "emailed" : "notEmailed", { email, strong: (chunks) => <strong className="font-semibold">{chunks}</strong> })}{" "}
        {t("works")}
        {replaced && ` ${t("replaced")}`}
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor="invitation-link" className="sr-only">
          {t("linkLabel")}
        </label>
        <input
          ref={input}
          id="invitation-link"
          readOnly
          value={link}
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full min-w-0 flex-1 rounded-lg border-0 bg-white px-3 py-2.5 font-mono text-xs text-gray-900 shadow-xs ring-1 ring-gray-300 ring-inset focus:ring-2 focus:ring-blue-600 focus:outline-none"
        />
        <Button type="button" variant="secondary" onClick={copy}>
          {copied === "yes" ? t("copied") : t("copy")}
        </Button>
      </div>
      {copied === "manual" && <p className="text-xs text-green-900">{t("manual")}</p>}
    </div>
  );
}

function InvitationItem({ invitation }: { invitation: Invitation }) {
  const t = useTranslations("orgSettings.invite");
  const [state, action] = useActionState(revokeInvitationAction, { status: "idle" } as OrgState);
  const [resent, resend] = useActionState(resendInvitationAction, { status: "idle" } as OrgState);
  return (
    <li className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 px-5 py-3.5 sm:px-6">
      <div className="min-w-0">
        <p className="truncate text-sm font-medium text-gray-900">{invitation.email}</p>
        <p className="text-xs text-gray-500">
          {t(`roles.${invitation.role}`)} · {invitation.expiresLabel}
          {invitation.invitedByName ? ` · ${t("invitedBy", { name: invitation.invitedByName })}` : ""}
        </p>
        {[state, resent].map((s, i) =>
          s.status === "error" ? (
            <p key={i} role="alert" className="mt-1 text-sm text-red-600">
              {s.message}
            </p>
          ) : null,
        )}
        <p role="status" className="text-sm text-green-700 empty:hidden">
          {resent.status === "success" ? resent.message : ""}
        </p>
      </div>
      <div className="flex gap-2">
        <form action={resend}>
          <input type="hidden" name="invitationId" value={invitation.id} />
          <SubmitButton variant="secondary" className="px-3 py-1.5 text-xs" pendingLabel={t("sending")} aria-label={t("resendLabel", { email: invitation.email })}>
            {t("resend")}
          </SubmitButton>
        </form>
        <form action={action}>
          <input type="hidden" name="invitationId" value={invitation.id} />
          <SubmitButton variant="secondary" className="px-3 py-1.5 text-xs" pendingLabel={t("revoking")} aria-label={t("revokeLabel", { email: invitation.email })}>
            {t("revoke")}
          </SubmitButton>
        </form>
      </div>
    </li>
  );
}
