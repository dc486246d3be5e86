type Tone = "error" | "success" | "info" | "warning";

const TONES: Record<Tone, string> = {
  error: "bg-red-50 text-red-800 ring-red-200",
  success: "bg-green-50 text-green-800 ring-green-200",
  info: "bg-blue-50 text-blue-800 ring-blue-200",
  warning: "bg-amber-50 text-amber-900 ring-amber-200",
};

export function Alert({ tone = "info", children, className = "" }: { tone?: Tone; children: React.ReactNode; className?: string }) {
  return (
    <div role={tone === "error" ? "alert" : "status"} className={`rounded-lg px-3.5 py-3 text-sm ring-1 ring-inset ${TONES[tone]} ${className}`}>
      {children}
    </div>
  );
}
