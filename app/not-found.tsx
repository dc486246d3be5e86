import Link from "next/link";
import { getT } from "@/lib/auth/locale";

export default async function NotFound() {
  const t = await getT("notFound");
  return (
    <main className="flex min-h-dvh items-center justify-center px-4">
      <div className="w-full max-w-md rounded-xl bg-white p-8 shadow-sm ring-1 ring-gray-200">
        <p className="text-sm font-semibold text-blue-700">404</p>
        <h1 className="mt-1 text-xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-2 text-sm text-gray-600">{t("body")}</p>
        <Link href="/" className="mt-6 inline-block text-sm font-semibold text-blue-700 hover:text-blue-800">
          {t("home")} <span aria-hidden="true">→</span>
        </Link>
      </div>
    </main>
  );
}
