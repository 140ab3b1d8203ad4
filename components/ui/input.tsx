import { useId, type InputHTMLAttributes, type SelectHTMLAttributes } from "react";
import { cn } from "./cn";

type FieldProps = { label: string; error?: string; hint?: string };

const control = "h-10 w-full rounded-md border border-border bg-card px-3 text-sm aria-[invalid=true]:border-danger";

/** A labelled input whose error is tied to it for screen readers. */
export function Input({ label, error, hint, className, id, "aria-describedby": more, ...rest }: InputHTMLAttributes<HTMLInputElement> & FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const describedBy = [error ? `${inputId}-error` : null, hint ? `${inputId}-hint` : null, more].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <label htmlFor={inputId} className="text-sm font-medium">
        {label}
      </label>
      <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} className={control} {...rest} />
      {hint && <p id={`${inputId}-hint`} className="text-xs text-muted-fg">{hint}</p>}
      {error && <p id={`${inputId}-error`} className="text-sm text-danger">{error}</p>}
    </div>
  );
}

export function Select({ label, error, className, id, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & FieldProps) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <label htmlFor={selectId} className="text-sm font-medium">
        {label}
      </label>
      <select id={selectId} aria-invalid={error ? true : undefined} className={control} {...rest}>
        {children}
      </select>
      {error && <p className="text-sm text-danger">{error}</p>}
    </div>
  );
}
