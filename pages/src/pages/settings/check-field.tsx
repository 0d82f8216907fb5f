// A labelled checkbox with its explanation beneath (read out as its description, not its name).
import type { ComponentChildren } from "preact";

export function CheckField(props: {
  id: string;
  label: string;
  hint?: ComponentChildren;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string | undefined;
}) {
  const described = [props.hint ? `${props.id}-hint` : "", props.error ? `${props.id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class="field-group">
      <label class="checkbox" for={props.id}>
        <input
          id={props.id}
          type="checkbox"
          checked={props.checked}
          aria-describedby={described || undefined}
          aria-invalid={props.error ? true : undefined}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
        />
        <span class="check-label">{props.label}</span>
      </label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error check-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
