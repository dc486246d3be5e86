import { redirect } from "next/navigation";
import type { NextRequest } from "next/server";
import { getDb } from "@/db/client";
import { currentRequest } from "@/lib/auth/dal";
import { verifyEmail } from "@/lib/auth/email-verification";

/**
 * The link in a verification email. It spends the token and sends the browser on to a page without it, so
 * the token is neither kept in the history nor carried in a Referer.
 */
export async function GET(_request: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [db, { info }] = await Promise.all([getDb(), currentRequest()]);
  const result = await verifyEmail(db, token, info);
  redirect(`/verify-email?result=${result.ok ? "verified" : result.problem}`);
}
