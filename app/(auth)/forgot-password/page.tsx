import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { getT } from "@/lib/auth/locale";
import { RESET_LINK_MINUTES } from "@/lib/auth/password-reset";
import { ForgotForm } from "./forgot-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("forgot"))("title") };
}

export default function ForgotPasswordPage() {
  return (
    <Card className="p-6 sm:p-8">
      <ForgotForm minutes={RESET_LINK_MINUTES} />
    </Card>
  );
}
