"use client";
import { Button } from "@/components/ui/button";

/** Any unexpected server error: one calm sentence, a retry, and nothing internal. */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4">
      <div className="w-full max-w-md rounded-xl bg-white p-8 shadow-sm ring-1 ring-gray-200">
        <h1 className="text-xl font-semibold tracking-tight">Something went wrong on our side</h1>
        <p className="mt-2 text-sm text-gray-600">Nothing you entered was lost. Try again in a moment.</p>
        <Button className="mt-6" onClick={reset}>
          Try again
        </Button>
      </div>
    </main>
  );
}
