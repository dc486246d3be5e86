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
import { useDateFormat } from "@/components/ui/use-date-format";
import { useTranslations } from "next-intl";
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


/**
 * My account's passkeys and security keys: each with its name, when it was added and last used; add one
 * (password and a current factor, then the browser's prompt), rename, remove (with a step-up).
 */
export function PasskeysCard({ passkeys, proof, allowed, lastRemovable, factorCount }: Props) {
  const router = useRouter();
  const t = useTranslations("passkeys");
  const dateFormat = useDateFormat({ day: "numeric", month: "long", year: "numeric" });
  const day = (iso: string) => (chunks: React.ReactNode) => <time dateTime={iso}>{chunks}</time>;
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
          title={t("title")}
          description={t("description")}
        />
      </div>
      <div className="space-y-4 px-5 py-5 sm:px-6">
        {message && <Alert tone="success">{message}</Alert>}
        {passkeys.length > 0 ? (
          <ul aria-label={t("list")} className="divide-y divide-gray-200 rounded-lg bg-gray-50 ring-1 ring-gray-200 ring-inset">
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
                        {t.rich("added", { date: dateFormat.format(new Date(p.addedAt)), time: day(p.addedAt) })} ·{" "}
                        {p.lastUsedAt
                          ? t.rich("lastUsed", { date: dateFormat.format(new Date(p.lastUsedAt)), time: day(p.lastUsedAt) })
                          : t("notUsed")}
                      </p>
                    </div>
                    <div className="flex flex-wrap gap-2">
                      <Button variant="secondary" onClick={() => setRenaming(p.id)} aria-label={t("renameLabel", { name: p.name })}>
                        {t("rename")}
                      </Button>
                      {(lastRemovable || factorCount > 1) && (
                        <Button variant="secondary" onClick={() => setOpen({ kind: "remove", passkey: p })} aria-label={t("removeLabel", { name: p.name })}>
                          {t("remove")}
                        </Button>
                      )}
                    </div>
                  </div>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-gray-600">{t("none")}</p>
        )}
        {allowed ? (
          <Button variant={passkeys.length > 0 ? "secondary" : "primary"} onClick={() => setOpen({ kind: "add" })}>
            {t("add")}
          </Button>
        ) : (
          <p className="text-sm text-gray-600">{t("notAllowed")}</p>
        )}
      </div>
      <Dialog open={open?.kind === "add"} onClose={close} title={t("addTitle")}>
        {open?.kind === "add" && <AddPasskey proof={proof} onDone={done} />}
      </Dialog>
      <Dialog open={open?.kind === "remove"} onClose={close} title={t("removeTitle")}>
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
  const t = useTranslations("passkeys");
  const tc = useTranslations("common");
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
        label={t("name")}
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
          {tc("save")}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel} disabled={pending}>
          {tc("cancel")}
        </Button>
      </div>
    </form>
  );
}

type Registering = { challengeId: string; options: PublicKeyCredentialCreationOptionsJSON };

/** Password and a current factor, then the browser makes the key; a first factor shows the new backup codes once. */
export function AddPasskey({ proof, onDone }: { proof: ProofMethods | null; onDone: (message: string) => void }) {
  const [stage, setStage] = useState<"prove" | "reenrol" | "create" | "codes">("prove");
  const t = useTranslations("passkeys");
  const tc = useTranslations("common");
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
        const message = `${r.message} ${t("calledName", { name: r.name ?? "" })}`;
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
          intro={t("addIntro")}
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
        {pending ? t("follow") : t("closed")}
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
            {t("startAgain")}
          </Button>
        )}
        <Button onClick={() => registering && create(registering)} pending={pending} disabled={!registering}>
          {tc("tryAgain")}
        </Button>
      </div>
    </div>
  );
}

function RemovePasskey({ passkey, proof, last, onDone }: { passkey: PasskeyRow; proof: ProofMethods; last: boolean; onDone: (message: string) => void }) {
  const { pending, run, error } = useStepRunner();
  const t = useTranslations("passkeys");
  const [attempt, setAttempt] = useState(0);
  return (
    <div className="space-y-4">
      {error && <Alert tone="error">{error.message}</Alert>}
      {last && (
        <Alert tone="warning">{t("onlyMethod")}</Alert>
      )}
      <StepUp
        key={attempt}
        methods={proof}
        busy={pending}
        intro={t("removeIntro", { name: passkey.name })}
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
