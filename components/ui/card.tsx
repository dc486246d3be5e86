export function Card({ children, className = "" }: { children: React.ReactNode; className?: string }) {
  return <section className={`rounded-xl bg-white shadow-sm ring-1 ring-gray-200 ${className}`}>{children}</section>;
}

export function CardHeader({ title, description, id }: { title: string; description?: React.ReactNode; id?: string }) {
  return (
    <div className="border-b border-gray-100 px-5 py-4 sm:px-6">
      <h2 id={id} className="text-base font-semibold text-gray-900">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-gray-600">{description}</p>}
    </div>
  );
}
