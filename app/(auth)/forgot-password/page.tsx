import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { RESET_LINK_MINUTES } from "@/lib/auth/password-reset";
import { ForgotForm } from "./forgot-form";

export const metadata: Metadata = { title: "Reset your password" };

export default function ForgotPasswordPage() {
  return (
    <Card className="p-6 sm:p-8">
      <ForgotForm minutes={RESET_LINK_MINUTES} />
    </Card>
  );
}
