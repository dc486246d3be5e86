"use client";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
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
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const ask = (kind: Confirm["kind"], member: MemberRow) => {
    setOutcome(null);
    setConfirm({ kind, member });
  };
  const report = (state: OrgState) => {
    if (state.status === "success") setOutcome({ tone: "success", message: state.message });
    else if (state.status === "error")
      setOutcome({ tone: "error", message: state.message ?? Object.values(state.fieldErrors ?? {})[0] ?? "That did not work. Try again." });
  };
  return (
    <Card>
      <CardHeader
        id="members-heading"
        title="Members"
        description={`${members.length} ${members.length === 1 ? "person" : "people"} · ${adminCount} ${adminCount === 1 ? "admin" : "admins"}`}
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
              Member
            </th>
            <th scope="col" className="w-36 py-3 pr-5 pl-2 font-medium sm:pr-2">
              Role
            </th>
            <th scope="col" className="hidden w-48 px-2 py-3 font-medium md:table-cell">
              MFA
            </th>
            <th scope="col" className="hidden w-44 py-3 pr-5 pl-2 text-right font-medium sm:table-cell sm:pr-6">
              <span className="sr-only">Actions</span>
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
                    <span className="shrink-0 rounded-full bg-gray-100 px-1.5 py-0.5 text-[11px] font-medium text-gray-600">You</span>
                  )}
                </p>
                <p className="truncate text-gray-500">{m.email}</p>
                <p className="mt-1 md:hidden">
                  <MfaBadge enabled={m.mfaEnabled} label={badgeLabel(m)} />
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
                <MfaBadge enabled={m.mfaEnabled} label={badgeLabel(m)} />
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
        title={confirm?.kind === "reset" ? "Reset multi-factor authentication?" : `Remove ${confirm?.member.name ?? "member"}?`}
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
  if (member.isYou) return null;
  return (
    <div className="flex flex-wrap gap-1.5 sm:justify-end">
      {(member.mfaEnabled || member.reenrolProof) && (
        <Button
          variant="secondary"
          className="px-2.5 py-1.5 text-xs whitespace-nowrap"
          aria-label={`Reset MFA for ${member.name}`}
          onClick={() => onConfirm("reset", member)}
        >
          Reset MFA
        </Button>
      )}
      <Button
        variant="secondary"
        className="px-2.5 py-1.5 text-xs whitespace-nowrap text-red-700 hover:bg-red-50"
        aria-label={`Remove ${member.name}`}
        onClick={() => onConfirm("remove", member)}
      >
        Remove
      </Button>
    </div>
  );
}

/** "Off", or "Off · reset by an admin" until a member reset by an admin has enrolled again. */
function badgeLabel(m: MemberRow) {
  return !m.mfaEnabled && m.reenrolProof ? "Off · reset by an admin" : m.mfaLabel;
}

function MfaBadge({ enabled, label }: { enabled: boolean; label: string }) {
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
        enabled ? "bg-green-50 text-green-800 ring-green-200" : "bg-amber-50 text-amber-900 ring-amber-200"
      }`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${enabled ? "bg-green-600" : "bg-amber-500"}`} />
      <span className="sr-only">MFA: </span>
      {label}
    </span>
  );
}

/** A role select that saves only on an explicit Save, so arrowing through the options changes nothing. */
function RoleForm({ member, onResult, lastAdmin }: { member: MemberRow; onResult: (s: OrgState) => void; lastAdmin: boolean }) {
  const [state, action] = useActionState(changeRoleAction, { status: "idle" } as OrgState);
  const [role, setRole] = useState(member.role);
  const stepUp = useStepUpForm(
    `You are about to make ${member.name} ${role === "admin" ? "an admin" : "a member"}.`,
    state,
  );
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
        aria-label={`Role for ${member.name}`}
        aria-describedby={lastAdmin ? `last-admin-${member.userId}` : undefined}
        className="block w-full rounded-lg border-0 bg-white py-1.5 pr-7 pl-2 text-sm text-gray-900 shadow-xs ring-1 ring-gray-300 ring-inset focus:ring-2 focus:ring-blue-600 focus:outline-none"
      >
        <option value="member">Member</option>
        <option value="admin">Admin</option>
      </select>
      {lastAdmin && (
        <span id={`last-admin-${member.userId}`} className="sr-only">
          The only admin
        </span>
      )}
      {changed && (
        <div className="flex gap-1">
          <SubmitButton className="px-2.5 py-1 text-xs" pendingLabel="Saving…">
            Save
          </SubmitButton>
          <Button type="button" variant="ghost" className="px-2 py-1 text-xs" onClick={() => setRole(member.role)}>
            Cancel
          </Button>
        </div>
      )}
    </form>
  );
}

/** The temporary access code, once: the admin copies it or reads it out; closing the dialog forgets it. */
function AccessCodeShown({ member, state, onDone }: { member: MemberRow; state: Extract<OrgState, { status: "success" }>; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const code = state.accessCode?.code ?? "";
  const until = state.accessCode ? new Date(state.accessCode.expiresAt).toISOString().replace("T", " ").slice(0, 16) : "";
  useInitialFocus("access-code-copy");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied("Copied.");
    } catch {
      setCopied("Copying is not available here. Select the code and copy it.");
    }
  };
  return (
    <div className="space-y-4">
      <Alert tone="success">{state.message}</Alert>
      <div className="rounded-lg bg-gray-50 px-4 py-4 text-center ring-1 ring-gray-200 ring-inset">
        <p className="text-xs font-medium tracking-wide text-gray-500 uppercase" id="access-code-label">
          Temporary access code for {member.name}
        </p>
        <p data-testid="access-code" className="mt-2 font-mono text-xl font-semibold tracking-wider text-gray-900 select-all">
          {code}
        </p>
        <p className="mt-2 text-xs text-gray-600">Works once, until {until} UTC. It is not shown again.</p>
      </div>
      {copied && (
        <p className="text-sm text-gray-600" role="status">
          {copied}
        </p>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button type="button" variant="secondary" onClick={copy} id="access-code-copy">
          Copy code
        </Button>
        <Button type="button" onClick={onDone}>
          Done
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
  const reset = confirm.kind === "reset";
  const [state, action] = useActionState(reset ? resetMemberMfaAction : removeMemberAction, { status: "idle" } as OrgState);
  const [proof, setProof] = useState<"email" | "access_code">(confirm.member.reenrolProof ?? "email");
  useOutcome(state, (s) => {
    // A temporary access code is shown here, once, before the dialog closes.
    if (s.status === "success" && !s.accessCode) onDone(s);
  });
  const { member } = confirm;
  const stepUp = useStepUpForm(
    reset ? `You are about to reset ${member.name}'s multi-factor authentication.` : `You are about to remove ${member.name} from the organisation.`,
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
            {member.email} · {member.mfaLabel === "Off" ? "MFA off" : member.mfaLabel}
          </p>
        </div>
        {reset ? (
          <>
            <ul className="list-disc space-y-1 pl-5 text-sm text-gray-700">
              <li>Their sign-in methods (authenticator app, phone) and any backup codes are removed.</li>
              <li>They are signed out everywhere.</li>
              {member.role === "admin" && <li>They are an admin, so every admin of the organisation sees this reset in their security activity.</li>}
              <li>
                {orgRequiresMfa
                  ? "Your organisation requires multi-factor authentication, so they set it up again when they next sign in."
                  : "They can sign in with their password and turn it on again in My account."}
              </li>
            </ul>
            <fieldset>
              <legend className="text-sm font-medium text-gray-900">Before they set it up again, they prove it is them with</legend>
              <div className="mt-2 space-y-2">
                {(
                  [
                    ["email", "A code we email them", `Sent to ${member.email} when they start. Recommended.`],
                    ["access_code", "A temporary access code from you", "Shown once after the reset; give it to them in person or by phone. Works once, for 24 hours."],
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
            They lose access to the organisation and its data, and are signed out everywhere at once.
          </p>
        )}
        {state.status === "error" && !state.stepUp && <Alert tone="error">{state.message ?? "That did not work. Try again."}</Alert>}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button type="button" variant="secondary" onClick={onCancel} id="confirm-cancel">
            Cancel
          </Button>
          <SubmitButton variant="danger" pendingLabel={reset ? "Resetting…" : "Removing…"}>
            {reset ? "Reset MFA" : "Remove member"}
          </SubmitButton>
        </div>
      </form>
    </>
  );
}
