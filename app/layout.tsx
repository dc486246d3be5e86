import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Feedback Accounts", template: "%s · Feedback Accounts" },
  description: "Sign in to your organisation's feedback workspace.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request: the CSP (proxy.ts) allows only scripts carrying that request's nonce,
  // and a page prerendered at build time has scripts without one, so the browser would refuse them all.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans">{children}</body>
    </html>
  );
}
