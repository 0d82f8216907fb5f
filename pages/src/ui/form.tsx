// Forms: labelled fields (and check lists) that show the API's per-field errors, and a submit
// helper that keeps "busy" and the error message in one place.
import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, errorMessage } from "../lib/api";
import { Notice } from "./states";

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

/** A new password, as the API's rule has it (10 to 256 characters). */
export function NewPasswordField(props: { label: string; error: string | undefined }) {
  return (
    <Field
      label={props.label}
      name="password"
      type="password"
      required
      minLength={10}
      maxLength={256}
      autoComplete="new-password"
      hint="At least 10 characters."
      error={props.error}
    />
  );
}

/** A form's error and its full-width submit button, busy while the form is. */
export function SubmitRow(props: { form: FormState; label: string; busyLabel: string }) {
  return (
    <>
      {props.form.error ? <Notice tone="error">{props.form.error}</Notice> : null}
      <button type="submit" class="button primary wide" disabled={props.form.busy}>
        {props.form.busy ? props.busyLabel : props.label}
      </button>
    </>
  );
}

/** Checkboxes that submit the ids of the chosen items under one name, with a hint above. */
export function CheckList(props: {
  legend: string;
  name: string;
  items: { id: string; label: string; sub?: string }[];
  checked: string[];
  hint: string;
  error: string | undefined;
}) {
  return (
    <fieldset class="plain">
      <legend>{props.legend}</legend>
      <p class="hint">{props.hint}</p>
      {props.items.map((i) => (
        <label key={i.id} class="checkbox">
          <input
            type="checkbox"
            name={props.name}
            value={i.id}
            defaultChecked={props.checked.includes(i.id)}
          />
          <span>
            {i.label}
            {i.sub ? <small class="muted"> {i.sub}</small> : null}
          </span>
        </label>
      ))}
      {props.error ? <p class="field-error">{props.error}</p> : null}
    </fieldset>
  );
}
