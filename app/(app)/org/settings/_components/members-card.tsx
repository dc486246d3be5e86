"use client";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { useTranslations } from "next-intl";
import { changeRoleAction, type OrgState, removeMemberAction, resetMemberMfaAction } from "../actions";
import { useStepUpForm } from "./step-up-gate";
import { useInitialFocus } from "./use-initial-focus";

export type MemberRow = {
  userId: string;
  name: string;
  email: string;
  role: "admin" | "member";
  mfaEnabled: boolean;
  /** "Off", "SMS ending in 1234" or "Authenticator app": never a full number. */
  mfaLabel: string;
  isYou: boolean;
  /** Reset by an admin and not set up again yet: the proof they will need besides their password. */
  reenrolProof: "email" | "access_code" | null;
};

type Confirm = { kind: "remove" | "reset"; member: MemberRow };
type Outcome = { tone: "success" | "error"; message: string };

/** Calls back once per new action result (the state object changes with every submission). */
function useOutcome(state: OrgState, report: (state: OrgState) => void) {
  const ref = useRef(report);
  ref.current = report;
  useEffect(() => {
    if (state.status !== "idle") ref.current(state);
  }, [state]);
}

export function MembersCard({ members, adminCount, orgRequiresMfa }: { members: MemberRow[]; adminCount: number; orgRequiresMfa: boolean }) {
  const t = useTranslations("orgSettings.members");
  const tc = useTranslations("common");
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const ask = (kind: Confirm["kind"], member: MemberRow) => {
    setOutcome(null);
    setConfirm({ kind, member });
  };
  const report = (state: OrgState) => {
    if (state.status === "success") setOutcome({ tone: "success", message: state.message });
    else if (state.status === "error")
      setOutcome({ tone: "error", message: state.message ?? Object.values(state.fieldErrors ?? {})[0] ?? tc("didNotWork") });
  };
  return (
    <Card>
      <CardHeader
        id="members-heading"
        title={t("title")}
        description={t("count", { people: members.length, admins: adminCount })}
      />
      {outcome && (
        <div className="px-5 pt-4 sm:px-6">
          <Alert tone={outcome.tone}>{outcome.message}</Alert>
        </div>
      )}
      <table className="w-full table-fixed text-left text-sm" aria-labelledby="members-heading">
        <thead className="border-b border-gray-100 text-xs font-medium tracking-wide text-gray-500 uppercase">
          <tr>
            <th scope="col" className="py-3 pr-2 pl-5 font-medium sm:pl-6">
              {t("member")}
            </th>
            <th scope="col" className="w-36 py-3 pr-5 pl-2 font-medium sm:pr-2">
              {t("role")}
            </th>
            <th scope="col" className="hidden w-48 px-2 py-3 font-medium md:table-cell">
              {t("mfa")}
            </th>
            <th scope="col" className="hidden w-44 py-3 pr-5 pl-2 text-right font-medium sm:table-cell sm:pr-6">
              <span className="sr-only">{t("actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {members.map((m) => (
            <tr key={m.userId} className="align-top">
              <td className="py-3.5 pr-2 pl-5 sm:pl-6">
                <p className="flex min-w-0 items-center gap-1.5 font-medium text-gray-900">
                  <span className="truncate">{m.name}</span>
                  {m.isYou && (
                    <span className="shrink-0 rounded-full bg-gray-100 px-1.5 py-0.5 text-[11px] font-medium text-gray-600">{t("you")}</span>
                  )}
                </p>
                <p className="truncate text-gray-500">{m.email}</p>
                <p className="mt-1 md:hidden">
                  <MfaBadge enabled={m.mfaEnabled} label={badgeLabel(t, m)} />
                </p>
                {/* On a phone the actions sit under the member instead of in a column of their own. */}
                <div className="mt-2 sm:hidden">
                  <MemberActions member={m} onConfirm={ask} />
                </div>
              </td>
              <td className="py-3 pr-5 pl-2 sm:pr-2">
                <RoleForm member={m} onResult={report} lastAdmin={m.role === "admin" && adminCount <= 1} />
              </td>
              <td className="hidden px-2 py-3.5 md:table-cell">
                <MfaBadge enabled={m.mfaEnabled} label={badgeLabel(t, m)} />
              </td>
              <td className="hidden py-3 pr-5 pl-2 sm:table-cell sm:pr-6">
                <MemberActions member={m} onConfirm={ask} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm?.kind === "reset" ? t("resetTitle") : confirm ? t("removeTitle", { name: confirm.member.name }) : t("removeMemberTitle")}
      >
        {confirm && (
          <ConfirmForm
            confirm={confirm}
            orgRequiresMfa={orgRequiresMfa}
            onCancel={() => setConfirm(null)}
            onDone={(state) => {
              setConfirm(null);
              report(state);
            }}
          />
        )}
      </Dialog>
    </Card>
  );
}

function MemberActions({ member, onConfirm }: { member: MemberRow; onConfirm: (kind: Confirm["kind"], member: MemberRow) => void }) {
  const t = useTranslations("orgSettings.members");
  if (member.isYou) return null;
  return (
    <div className="flex flex-wrap gap-1.5 sm:justify-end">
      {(member.mfaEnabled || member.reenrolProof) && (
        <Button
          variant="secondary"
          className="px-2.5 py-1.5 text-xs whitespace-nowrap"
          aria-label={t("resetLabel", { name: member.name })}
          onClick={() => onConfirm("reset", member)}
        >
          {t("reset")}
        </Button>
      )}
      <Button
        variant="secondary"
        className="px-2.5 py-1.5 text-xs whitespace-nowrap text-red-700 hover:bg-red-50"
        aria-label={t("removeLabel", { name: member.name })}
        onClick={() => onConfirm("remove", member)}
      >
        {t("remove")}
      </Button>
    </div>
  );
}

/** "Off", or "Off · reset by an admin" until a member reset by an admin has enrolled again. */
function badgeLabel(t: ReturnType<typeof useTranslations<"orgSettings.members">>, m: MemberRow) {
  if (m.mfaEnabled) return m.mfaLabel;
  return m.reenrolProof ? t("offReset") : t("off");
}

function MfaBadge({ enabled, label }: { enabled: boolean; label: string }) {
  const t = useTranslations("orgSettings.members");
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
        enabled ? "bg-green-50 text-green-800 ring-green-200" : "bg-amber-50 text-amber-900 ring-amber-200"
      }`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${enabled ? "bg-green-600" : "bg-amber-500"}`} />
      <span className="sr-only">{t("mfaPrefix")} </span>
      {label}
    </span>
  );
}

/** A role select that saves only on an explicit Save, so arrowing through the options changes nothing. */
function RoleForm({ member, onResult, lastAdmin }: { member: MemberRow; onResult: (s: OrgState) => void; lastAdmin: boolean }) {
  const t = useTranslations("orgSettings.members");
  const tc = useTranslations("common");
  const [state, action] = useActionState(changeRoleAction, { status: "idle" } as OrgState);
  const [role, setRole] = useState(member.role);
  const stepUp = useStepUpForm(t(role === "admin" ? "makeAdmin" : "makeMember", { name: member.name }), state);
  useOutcome(state, (s) => {
    // Refused for want of a step-up: the choice stays, and the change is sent again once it is proven.
    if (s.status === "error" && s.stepUp) return;
    if (s.status === "error") setRole(member.role);
    onResult(s);
  });
  useEffect(() => setRole(member.role), [member.role]);
  const changed = role !== member.role;
  return (
    <form action={action} {...stepUp.form} className="flex flex-col items-start gap-1.5">
      <input type="hidden" name="userId" value={member.userId} />
      <select
        name="role"
        value={role}
        onChange={(e) => setRole(e.target.value as MemberRow["role"])}
        aria-label={t("roleLabel", { name: member.name })}
        aria-describedby={lastAdmin ? `last-admin-${member.userId}` : undefined}
        className="block w-full rounded-lg border-0 bg-white py-1.5 pr-7 pl-2 text-sm text-gray-900 shadow-xs ring-1 ring-gray-300 ring-inset focus:ring-2 focus:ring-blue-600 focus:outline-none"
      >
        <option value="member">{t("roles.member")}</option>
        <option value="admin">{t("roles.admin")}</option>
      </select>
      {lastAdmin && (
        <span id={`last-admin-${member.userId}`} className="sr-only">
          {t("onlyAdmin")}
        </span>
      )}
      {changed && (
        <div className="flex gap-1">
          <SubmitButton className="px-2.5 py-1 text-xs" pendingLabel={t("saving")}>
            {tc("save")}
          </SubmitButton>
          <Button type="button" variant="ghost" className="px-2 py-1 text-xs" onClick={() => setRole(member.role)}>
            {tc("cancel")}
          </Button>
        </div>
      )}
    </form>
  );
}

/** The temporary access code, once: the admin copies it or reads it out; closing the dialog forgets it. */
function AccessCodeShown({ member, state, onDone }: { member: MemberRow; state: Extract<OrgState, { status: "success" }>; onDone: () => void }) {
  const t = useTranslations("orgSettings.members.accessCode");
  const [copied, setCopied] = useState<string | null>(null);
  const code = state.accessCode?.code ?? "";
  const until = state.accessCode ? new Date(state.accessCode.expiresAt).toISOString().replace("T", " ").slice(0, 16) : "";
  useInitialFocus("access-code-copy");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(t("copied"));
    } catch {
      setCopied(t("copyFailed"));
    }
  };
  return (
    <div className="space-y-4">
      <Alert tone="success">{state.message}</Alert>
      <div className="rounded-lg bg-gray-50 px-4 py-4 text-center ring-1 ring-gray-200 ring-inset">
        <p className="text-xs font-medium tracking-wide text-gray-500 uppercase" id="access-code-label">
          {t("label", { name: member.name })}
        </p>
        <p data-testid="access-code" className="mt-2 font-mono text-xl font-semibold tracking-wider text-gray-900 select-all">
          {code}
        </p>
        <p className="mt-2 text-xs text-gray-600">{t("until", { until })}</p>
      </div>
      {copied && (
        <p className="text-sm text-gray-600" role="status">
          {copied}
        </p>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button type="button" variant="secondary" onClick={copy} id="access-code-copy">
          {t("copy")}
        </Button>
        <Button type="button" onClick={onDone}>
          {t("done")}
        </Button>
      </div>
    </div>
  );
}

function ConfirmForm({
  confirm,
  orgRequiresMfa,
  onCancel,
  onDone,
}: {
  confirm: Confirm;
  orgRequiresMfa: boolean;
  onCancel: () => void;
  onDone: (state: OrgState) => void;
}) {
  const t = useTranslations("orgSettings.members");
  const tc = useTranslations("common");
  const reset = confirm.kind === "reset";
  const [state, action] = useActionState(reset ? resetMemberMfaAction : removeMemberAction, { status: "idle" } as OrgState);
  const [proof, setProof] = useState<"email" | "access_code">(confirm.member.reenrolProof ?? "email");
  useOutcome(state, (s) => {
    // A temporary access code is shown here, once, before the dialog closes.
    if (s.status === "success" && !s.accessCode) onDone(s);
  });
  const { member } = confirm;
  const stepUp = useStepUpForm(
    reset ? t("stepUpReset", { name: member.name }) : t("stepUpRemove", { name: member.name }),
    state,
    { inline: true },
  );
  // The safe choice has focus first in a destructive confirmation.
  useInitialFocus("confirm-cancel");
  if (state.status === "success" && state.accessCode) return <AccessCodeShown member={member} state={state} onDone={() => onDone(state)} />;
  return (
    <>
      {stepUp.proof}
      <form action={action} {...stepUp.form} className="space-y-5">
        <input type="hidden" name="userId" value={member.userId} />
        <div className="rounded-lg bg-gray-50 px-3 py-2.5 ring-1 ring-gray-200 ring-inset">
          <p className="truncate text-sm font-medium text-gray-900">{member.name}</p>
          <p className="truncate text-xs text-gray-500">
            {member.email} · {member.mfaEnabled ? member.mfaLabel : t("mfaOff")}
          </p>
        </div>
        {reset ? (
          <>
            <ul className="list-disc space-y-1 pl-5 text-sm text-gray-700">
              <li>{t("resetWhat.methods")}</li>
              <li>{t("resetWhat.signedOut")}</li>
              {member.role === "admin" && <li>{t("resetWhat.admin")}</li>}
              <li>{orgRequiresMfa ? t("resetWhat.required") : t("resetWhat.optional")}</li>
            </ul>
            <fieldset>
              <legend className="text-sm font-medium text-gray-900">{t("proof.legend")}</legend>
              <div className="mt-2 space-y-2">
                {(
                  [
                    ["email", t("proof.email"), t("proof.emailHint", { email: member.email })],
                    ["access_code", t("proof.accessCode"), t("proof.accessCodeHint")],
                  ] as const
                ).map(([value, label, hint]) => (
                  <label
                    key={value}
                    className={`flex cursor-pointer items-start gap-3 rounded-lg px-3 py-2.5 ring-1 ring-inset ${proof === value ? "bg-blue-50 ring-blue-300" : "ring-gray-200 hover:bg-gray-50"}`}
                  >
                    <input type="radio" name="proof" value={value} checked={proof === value} onChange={() => setProof(value)} className="mt-0.5 size-4 accent-blue-600" />
                    <span>
                      <span className="block text-sm font-medium text-gray-900">{label}</span>
                      <span className="block text-xs text-gray-600">{hint}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
          </>
        ) : (
          <p className="text-sm text-gray-700">
            {t("removeExplain")}
          </p>
        )}
        {state.status === "error" && !state.stepUp && <Alert tone="error">{state.message ?? tc("didNotWork")}</Alert>}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button type="button" variant="secondary" onClick={onCancel} id="confirm-cancel">
            {tc("cancel")}
          </Button>
          <SubmitButton variant="danger" pendingLabel={reset ? t("resetting") : t("removing")}>
            {reset ? t("reset") : t("removeMember")}
          </SubmitButton>
        </div>
      </form>
    </>
  );
}
