import { AppHeader } from "@/components/shell/app-header";
import { requireSession } from "@/lib/auth/dal";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const current = await requireSession({ allowMfaSetup: true });
  return (
    <div className="min-h-dvh">
      <AppHeader
        user={{ name: current.user.name, email: current.user.email }}
        organisationName={current.organisation?.name ?? null}
        isAdmin={current.membership?.role === "admin"}
      />
      <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">{children}</main>
    </div>
  );
}
