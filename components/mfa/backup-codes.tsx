"use client";
import { useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useTranslations } from "next-intl";

/** The file a user keeps: what the codes are for, when they were made, one code a line. */
function codesFile(codes: string[], t: ReturnType<typeof useTranslations<"backupCodes">>, now = new Date()) {
  return [
    t("file.title"),
    t("file.created", { day: now.toISOString().slice(0, 10) }),
    "",
    ...codes,
    "",
  ].join("\n");
}

/**
 * A new set of backup codes, shown this once: copy, download as .txt, and the user confirms they saved
 * them before continuing (the server keeps only hashes, so nobody can show them again).
 */
export function BackupCodesReveal({ codes, onDone, doneLabel }: { codes: string[]; onDone: () => void; doneLabel?: string }) {
  const t = useTranslations("backupCodes");
  const [saved, setSaved] = useState(false);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const checkboxId = useId();
  const listId = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      setNotice({ tone: "success", text: t("copied", { count: codes.length }) });
    } catch {
      setNotice({ tone: "error", text: t("copyFailed") });
    }
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([codesFile(codes, t)], { type: "text/plain;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "backup-codes.txt";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
    setNotice({ tone: "success", text: t("downloaded") });
  };

  return (
    <div className="space-y-4">
      <p className="text-sm text-gray-700">
        {t.rich("intro", { strong: (chunks) => <strong className="font-semibold text-gray-900">{chunks}</strong> })}
      </p>
      <ol
        id={listId}
        aria-label={t("label")}
        className="list-decimal space-y-1 rounded-lg bg-gray-50 py-3 pr-4 pl-10 font-mono text-sm text-gray-900 ring-1 ring-gray-200 ring-inset marker:text-gray-400"
      >
        {codes.map((code) => (
          <li key={code} className="whitespace-nowrap tabular-nums">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={copy} aria-controls={listId}>
          {t("copy")}
        </Button>
        <Button type="button" variant="secondary" onClick={download}>
          {t("download")}
        </Button>
      </div>
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      <div className="flex items-start gap-2.5">
        <input
          id={checkboxId}
          type="checkbox"
          checked={saved}
          onChange={(e) => setSaved(e.target.checked)}
          className="mt-0.5 size-4 rounded border-gray-300 text-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
        />
        <label htmlFor={checkboxId} className="text-sm font-medium text-gray-900">
          {t("saved")}
        </label>
      </div>
      <div className="flex justify-end">
        <Button type="button" onClick={onDone} disabled={!saved}>
          {doneLabel ?? t("continue")}
        </Button>
      </div>
    </div>
  );
}
