import type { Metadata } from "next";
import { cookies } from "next/headers";
import { Card } from "@/components/ui/card";
import { getT } from "@/lib/auth/locale";
import { getDb } from "@/db/client";
import { resetLinkCookieName } from "@/lib/auth/cookies";
import { readResetPage, RESET_LINK_MINUTES } from "@/lib/auth/password-reset";
import { pickMethod } from "@/lib/mfa/methods";
import { LinkProblem, type LinkProblemKind } from "./_components/link-problem";
import { NewPasswordForm } from "./_components/new-password-form";
import { ResetFactorStep } from "./_components/reset-factor-step";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("reset"))("newPassword.title") };
}

/**
 * The reset link's page (its token in a cookie, set by ./[token]/route.ts): the second factor first for an
 * account that has one, then the new password. Opening it changes nothing and texts nothing.
 */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const token = (await cookies()).get(resetLinkCookieName())?.value;
  const page = token ? await readResetPage(await getDb(), token) : null;

  if (!page?.ok) {
    const problem: LinkProblemKind = params.problem === "locked" ? "locked" : (page?.problem ?? "missing");
    return (
      <Card className="p-6 sm:p-8">
        <LinkProblem problem={problem} minutes={RESET_LINK_MINUTES} />
      </Card>
    );
  }

  const { proof, link } = page;
  if (proof.required && !proof.proven) {
    const method = pickMethod(params.method, proof.methods) ?? "totp";
    return (
      <Card className="p-6 sm:p-8">
        <ResetFactorStep
          key={method}
          method={method}
          others={proof.methods.filter((m) => m !== method)}
          last4={proof.summary.smsLast4 ?? ""}
          backupCodesLeft={proof.summary.backupCodesLeft}
          textSent={proof.challenge?.textSent ?? false}
          resendAt={proof.challenge?.resendAt ?? 0}
        />
      </Card>
    );
  }

  return (
    <Card className="p-6 sm:p-8">
      <NewPasswordForm email={link.email} factorProven={proof.required} />
    </Card>
  );
}
