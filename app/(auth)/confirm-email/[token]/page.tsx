import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button-class";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { findEmailChangeLink } from "@/lib/auth/email-change";
import { getT } from "@/lib/auth/locale";
import { maskEmail } from "@/lib/email/mask";
import { ConfirmEmailForm } from "./confirm-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("confirmEmail"))("title") };
}

/**
 * The link sent to a new address. Opening it only shows what would change; the button confirms (a mail
 * scanner fetching the link changes nothing). The token stays in this page's URL, which sends no Referer
 * (next.config.js), and works once.
 */
export default async function ConfirmEmailPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await findEmailChangeLink(await getDb(), token);
  if (!link.ok) {
    const t = await getT("confirmEmail.problem");
    return (
      <Card className="p-6 sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">{t(`${link.problem}.title`)}</h1>
        <p className="mt-2 text-sm text-gray-600">{t(`${link.problem}.body`)}</p>
        <p className="mt-2 text-sm text-gray-600">{t("unchanged")}</p>
        <div className="mt-6">
          <Link href="/account" className={buttonClass("primary", "w-full")}>
            {t("account")}
          </Link>
        </div>
      </Card>
    );
  }
  return (
    <Card className="p-6 sm:p-8">
      <ConfirmEmailForm token={token} newEmail={link.newEmail} currentEmail={maskEmail(link.currentEmail)} />
    </Card>
  );
}
