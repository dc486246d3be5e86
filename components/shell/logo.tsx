import Link from "next/link";

export function Logo() {
  return (
    <Link href="/" className="inline-flex items-center gap-2 rounded-md text-gray-900 focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-blue-600">
      <span className="grid size-8 place-items-center rounded-lg bg-blue-600 text-white" aria-hidden="true">
        <svg viewBox="0 0 20 20" fill="currentColor" className="size-5" aria-hidden="true">
          <path d="M3.5 4A1.5 1.5 0 0 1 5 2.5h10A1.5 1.5 0 0 1 16.5 4v8a1.5 1.5 0 0 1-1.5 1.5H9.2l-3.5 3.1a.5.5 0 0 1-.8-.4v-2.7H5A1.5 1.5 0 0 1 3.5 12V4Z" />
        </svg>
      </span>
      <span className="text-base font-semibold tracking-tight">Feedback Accounts</span>
    </Link>
  );
}
