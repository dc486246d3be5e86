import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { SignUpForm } from "./signup-form";
import { getT } from "@/lib/auth/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getT("signup"))("metaTitle") };
}

export default function SignUpPage() {
  return (
    <Card className="p-6 sm:p-8">
      <SignUpForm />
    </Card>
  );
}
