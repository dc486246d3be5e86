"use client";
import { useRouter } from "next/navigation";
import { SmsRegistration } from "@/components/mfa/sms-registration";

export function SetupFlow({ next }: { next: string }) {
  const router = useRouter();
  return (
    <SmsRegistration
      mode="register"
      onSaved={() => {
        router.replace(next);
        router.refresh();
      }}
    />
  );
}
