import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { SignUpForm } from "./signup-form";

export const metadata: Metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <Card className="p-6 sm:p-8">
      <SignUpForm />
    </Card>
  );
}
