"use server";
import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/events";
import { currentRequest, requireSession } from "@/lib/auth/dal";
import { changePassword } from "@/lib/auth/password-change";
import { revokeOtherSessions, revokeOwnSession } from "@/lib/auth/sessions";

export type PasswordState =
  | { status: "idle" }
  | { status: "error"; fieldErrors: Partial<Record<"currentPassword" | "newPassword", string>> }
  | { status: "success"; message: string };

function text(formData: FormData, key: string): string {
  const v = formData.get(key);
  return typeof v === "string" ? v.slice(0, 1024) : "";
}

export async function changePasswordAction(_prev: PasswordState, formData: FormData): Promise<PasswordState> {
  const current = await requireSession();
  const currentPassword = text(formData, "currentPassword");
  const newPassword = text(formData, "newPassword");
  if (!currentPassword) return { status: "error", fieldErrors: { currentPassword: "Enter your current password." } };
  if (!newPassword) return { status: "error", fieldErrors: { newPassword: "Choose a new password." } };
  const { info } = await currentRequest();
  const result = await changePassword(
    await getDb(),
    { userId: current.user.id, sessionId: current.session.id, organisationId: current.organisation?.id ?? null },
    { currentPassword, newPassword, info },
  );
  if (!result.ok) return { status: "error", fieldErrors: { [result.field]: result.message } };
  revalidatePath("/account");
  return {
    status: "success",
    message:
      result.otherSessionsEnded > 0
        ? `Password changed. ${result.otherSessionsEnded} other ${result.otherSessionsEnded === 1 ? "session was" : "sessions were"} signed out.`
        : "Password changed.",
  };
}

export async function revokeSessionAction(formData: FormData): Promise<void> {
  const current = await requireSession();
  const sessionId = formData.get("sessionId");
  if (typeof sessionId !== "string" || !/^[0-9a-f-]{36}$/i.test(sessionId) || sessionId === current.session.id) return;
  const db = await getDb();
  if (await revokeOwnSession(db, current.user.id, sessionId)) {
    const { info } = await currentRequest();
    await recordEvent(db, { action: "session.revoked", userId: current.user.id, organisationId: current.organisation?.id, ...info });
  }
  revalidatePath("/account");
}

export async function revokeOtherSessionsAction(): Promise<void> {
  const current = await requireSession();
  const db = await getDb();
  const ended = await revokeOtherSessions(db, current.user.id, current.session.id, "revoked_by_user");
  const { info } = await currentRequest();
  await recordEvent(db, {
    action: "session.others_revoked",
    userId: current.user.id,
    organisationId: current.organisation?.id,
    detail: { ended },
    ...info,
  });
  revalidatePath("/account");
}
