// Forms: labelled fields that show the API's per-field errors, and a submit helper that keeps
// "busy" and the error message in one place.
import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, errorMessage } from "../lib/api";

export interface FormState {
  busy: boolean;
  error: string | null;
  /** Per-field messages from a 400, keyed by the API's field path. */
  fields: Record<string, string>;
  submit: (action: () => Promise<void>) => Promise<void>;
  reset: () => void;
}

export function useFormState(): FormState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  return {
    busy,
    error,
    fields,
    reset: () => {
      setError(null);
      setFields({});
    },
    async submit(action) {
      setBusy(true);
      setError(null);
      setFields({});
      try {
        await action();
      } catch (err) {
        setError(errorMessage(err));
        if (err instanceof ApiError) {
          setFields(Object.fromEntries(err.fields.map((f) => [f.path, f.message])));
        }
      } finally {
        setBusy(false);
      }
    },
  };
}

type InputProps = JSX.InputHTMLAttributes<HTMLInputElement>;

export function Field(
  props: {
    label: string;
    name: string;
    hint?: ComponentChildren;
    error?: string | undefined;
    children?: ComponentChildren;
  } & Omit<InputProps, "name" | "label">,
) {
  const { label, hint, error, children, name, ...input } = props;
  const id = `field-${name}`;
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class={`field ${error ? "has-error" : ""}`}>
      <label for={id}>{label}</label>
      {children ?? (
        <input
          id={id}
          name={name}
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
          {...input}
        />
      )}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The values of a submitted form, as strings. */
export function formValues(event: Event): Record<string, string> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === "string") out[k] = v;
  return out;
}
