"use client";

type SwitchProps = {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  disabled?: boolean;
  describedBy?: string;
  id?: string;
};

/** A toggle with role="switch"; its accessible name is the visible label. */
export function Switch({ checked, onChange, label, disabled, describedBy, id }: SwitchProps) {
  return (
    <div className="flex items-center justify-between gap-4">
      <span id={id ? `${id}-label` : undefined} className="text-sm font-medium text-gray-900">
        {label}
      </span>
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-label={label}
        aria-describedby={describedBy}
        disabled={disabled}
        onClick={() => onChange(!checked)}
        className={`relative inline-flex h-6 w-11 shrink-0 cursor-pointer rounded-full border-2 border-transparent transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-60 ${
          checked ? "bg-blue-600" : "bg-gray-300"
        }`}
      >
        <span
          aria-hidden="true"
          className={`pointer-events-none inline-block size-5 rounded-full bg-white shadow ring-0 transition ${checked ? "translate-x-5" : "translate-x-0"}`}
        />
      </button>
    </div>
  );
}
