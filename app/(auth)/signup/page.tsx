import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { SignUpForm } from "./signup-form";

export const metadata: Metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">Create your account</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600">Start collecting feedback with your team.</p>
      <SignUpForm />
    </Card>
  );
}
