"use client";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { type ProofMethods, StepUp } from "@/app/(app)/_components/step-up";
import { BackupCodesReveal } from "@/components/mfa/backup-codes";
import { form } from "@/components/mfa/form-data";
import { createPasskey } from "@/components/mfa/passkey-ceremony";
import { useStepRunner } from "@/components/mfa/use-step-runner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { beginPasskeyAction, finishPasskeyAction, removePasskeyAction, renamePasskeyAction } from "../passkey-actions";
import { ReenrolProofStep, useReenrolProofNeeded } from "./mfa/reenrol-proof";

export type PasskeyRow = { id: string; name: string; addedAt: string; lastUsedAt: string | null };

type Props = {
  passkeys: PasskeyRow[];
  /** The user's current factors for the step-up (null: none yet, the passkey will be the first). */
  proof: ProofMethods | null;
  /** false when the organisation allows other methods only. */
  allowed: boolean;
  /** false when removing one more factor would switch off MFA the organisation requires. */
  lastRemovable: boolean;
  /** How many factors the user has in all (passkeys, app, phone). */
  factorCount: number;
};

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const day = (iso: string) => <time dateTime={iso}>{dateFormat.format(new Date(iso))}</time>;

/**
 * My account's passkeys and security keys: each with its name, when it was added and last used; add one
 * (password and a current factor, then the browser's prompt), rename, remove (with a step-up).
 */
export function PasskeysCard({ passkeys, proof, allowed, lastRemovable, factorCount }: Props) {
  const router = useRouter();
  const [open, setOpen] = useState<null | { kind: "add" } | { kind: "remove"; passkey: PasskeyRow }>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const done = (text: string) => {
    setOpen(null);
    setMessage(text);
    router.refresh();
  };
  const close = () => {
    setOpen(null);
    router.refresh();
  };

  return (
    <Card>
      <div id="passkeys" className="scroll-mt-20">
        <CardHeader
          title="Passkeys and security keys"
          description="Sign in with your fingerprint, face, screen lock or a hardware key. A passkey works only on this site, so it cannot be phished, and it can replace your password at sign-in."
        />
      </div>
      <div className="space-y-4 px-5 py-5 sm:px-6">
        {message && <Alert tone="success">{message}</Alert>}
        {passkeys.length > 0 ? (
          <ul aria-label="Passkeys" className="divide-y divide-gray-200 rounded-lg bg-gray-50 ring-1 ring-gray-200 ring-inset">
            {passkeys.map((p) => (
              <li key={p.id} className="px-4 py-3">
                {renaming === p.id ? (
                  <RenameForm
                    passkey={p}
                    onCancel={() => setRenaming(null)}
                    onDone={(text) => {
                      setRenaming(null);
                      done(text);
                    }}
                  />
                ) : (
                  <div className="flex flex-wrap items-center justify-between gap-3">
                    <div className="min-w-0">
                      <p className="flex items-center gap-2 text-sm font-medium text-gray-900">
                        <KeyIcon />
                        <span className="truncate" data-testid="passkey-name">
                          {p.name}
                        </span>
                      </p>
                      <p className="mt-0.5 text-xs text-gray-600">
                        Added {day(p.addedAt)} · {p.lastUsedAt ? <>Last used {day(p.lastUsedAt)}</> : "Not used yet"}
                      </p>
                    </div>
                    <div className="flex flex-wrap gap-2">
                      <Button variant="secondary" onClick={() => setRenaming(p.id)} aria-label={`Rename ${p.name}`}>
                        Rename
                      </Button>
                      {(lastRemovable || factorCount > 1) && (
                        <Button variant="secondary" onClick={() => setOpen({ kind: "remove", passkey: p })} aria-label={`Remove ${p.name}`}>
                          Remove
                        </Button>
                      )}
                    </div>
                  </div>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-gray-600">No passkeys yet.</p>
        )}
        {allowed ? (
          <Button variant={passkeys.length > 0 ? "secondary" : "primary"} onClick={() => setOpen({ kind: "add" })}>
            Add a passkey
          </Button>
        ) : (
          <p className="text-sm text-gray-600">Your organisation does not allow passkeys.</p>
        )}
      </div>
      <Dialog open={open?.kind === "add"} onClose={close} title="Add a passkey">
        {open?.kind === "add" && <AddPasskey proof={proof} onDone={done} />}
      </Dialog>
      <Dialog open={open?.kind === "remove"} onClose={close} title="Remove a passkey">
        {open?.kind === "remove" && proof && <RemovePasskey passkey={open.passkey} proof={proof} last={factorCount === 1} onDone={done} />}
      </Dialog>
    </Card>
  );
}

function KeyIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-4 shrink-0 text-gray-500">
      <path
        fillRule="evenodd"
        d="M8 7a5 5 0 1 1 3.61 4.804l-1.903 1.903A1 1 0 0 1 9 14H8v1a1 1 0 0 1-1 1H6v1a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1v-2a1 1 0 0 1 .293-.707L8.196 8.39A5.002 5.002 0 0 1 8 7Zm5-3a.75.75 0 0 0 0 1.5A1.5 1.5 0 0 1 14.5 7 .75.75 0 0 0 16 7a3 3 0 0 0-3-3Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

function RenameForm({ passkey, onCancel, onDone }: { passkey: PasskeyRow; onCancel: () => void; onDone: (message: string) => void }) {
  const { pending, run, error } = useStepRunner();
  const [name, setName] = useState(passkey.name);
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    run(
      () => renamePasskeyAction(form({ factorId: passkey.id, name })),
      (r) => r.status === "done" && onDone(r.message),
    );
  };
  return (
    <form onSubmit={save} className="flex flex-wrap items-end gap-3" noValidate>
      <Field
        label="Passkey name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        maxLength={60}
        autoFocus
        error={error?.message ?? null}
        className="min-w-0 flex-1"
      />
      <div className="flex gap-2">
        <Button type="submit" pending={pending}>
          Save
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

type Registering = { challengeId: string; options: PublicKeyCredentialCreationOptionsJSON };

/** Password and a current factor, then the browser makes the key; a first factor shows the new backup codes once. */
export function AddPasskey({ proof, onDone }: { proof: ProofMethods | null; onDone: (message: string) => void }) {
  const [stage, setStage] = useState<"prove" | "reenrol" | "create" | "codes">("prove");
  const proofNeeded = useReenrolProofNeeded();
  const [attempt, setAttempt] = useState(0);
  const { pending, run, error, setError } = useStepRunner();
  const [registering, setRegistering] = useState<Registering | null>(null);
  const [result, setResult] = useState<{ message: string; codes: string[] } | null>(null);

  const create = (ceremony: Registering) =>
    run(
      async () => {
        const made = await createPasskey(ceremony.options);
        if (!made.ok) return { status: "error" as const, message: made.message };
        return finishPasskeyAction(form({ challengeId: ceremony.challengeId, response: made.response }));
      },
      (r) => {
        if (r.status !== "done") return;
        const message = `${r.message} It is called “${r.name}”: you can rename it.`;
        if (r.backupCodes) {
          setResult({ message, codes: r.backupCodes });
          setStage("codes");
        } else onDone(message);
      },
    );

  const begin = (stepUpChallengeId: string | null) =>
    run(
      () => beginPasskeyAction(form({ stepUpChallengeId })),
      (r) => {
        if (r.status !== "register") return;
        const ceremony = { challengeId: r.challengeId, options: r.options };
        setRegistering(ceremony);
        setStage("create");
        create(ceremony);
      },
    );

  if (stage === "prove")
    return (
      <div className="space-y-4">
        {error && <Alert tone="error">{error.message}</Alert>}
        <StepUp
          key={attempt}
          methods={proof}
          busy={pending}
          onVerified={(id) => (proofNeeded ? setStage("reenrol") : begin(id))}
          intro="Your browser will ask you to create a passkey with your fingerprint, face, screen lock or a security key. Confirm your current password first."
        />
      </div>
    );

  if (stage === "reenrol")
    return (
      <div className="space-y-4">
        {error && <Alert tone="error">{error.message}</Alert>}
        <ReenrolProofStep onProven={() => begin(null)} />
      </div>
    );

  if (stage === "codes" && result)
    return (
      <div className="space-y-4">
        <Alert tone="success">{result.message}</Alert>
        <BackupCodesReveal codes={result.codes} onDone={() => onDone(result.message)} />
      </div>
    );

  return (
    <div className="space-y-4">
      {error && <Alert tone="error">{error.message}</Alert>}
      <p className="text-sm text-gray-600">
        {pending ? "Follow your browser's prompt to create the passkey…" : "Your browser's prompt closed before the passkey was made."}
      </p>
      <div className="flex flex-wrap justify-end gap-2">
        {!pending && (
          <Button
            variant="secondary"
            onClick={() => {
              setError(null);
              setRegistering(null);
              setStage("prove");
              setAttempt((n) => n + 1);
            }}
          >
            Start again
          </Button>
        )}
        <Button onClick={() => registering && create(registering)} pending={pending} disabled={!registering}>
          Try again
        </Button>
      </div>
    </div>
  );
}

function RemovePasskey({ passkey, proof, last, onDone }: { passkey: PasskeyRow; proof: ProofMethods; last: boolean; onDone: (message: string) => void }) {
  const { pending, run, error } = useStepRunner();
  const [attempt, setAttempt] = useState(0);
  return (
    <div className="space-y-4">
      {error && <Alert tone="error">{error.message}</Alert>}
      {last && (
        <Alert tone="warning">This is your only sign-in method. Removing it turns multi-factor authentication off and deletes your backup codes.</Alert>
      )}
      <StepUp
        key={attempt}
        methods={proof}
        busy={pending}
        intro={`To remove “${passkey.name}”, confirm your current password and then one of your sign-in methods. Your other sessions will be signed out.`}
        onVerified={(stepUpChallengeId) =>
          run(
            async () => {
              const r = await removePasskeyAction(form({ factorId: passkey.id, stepUpChallengeId }));
              // The step-up was spent: a refusal needs a new one.
              if (r.status === "error") setAttempt((n) => n + 1);
              return r;
            },
            (r) => r.status === "done" && onDone(r.message),
          )
        }
      />
    </div>
  );
}
