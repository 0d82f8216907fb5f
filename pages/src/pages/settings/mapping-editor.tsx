// Rows of "ID-token claim value → role" (or team), added and removed one by one.
import type { MappingRow } from "./sso-draft";
import { newRow } from "./sso-draft";

export function MappingEditor(props: {
  id: string;
  legend: string;
  hint: string;
  /** "role" or "team": names the select and the buttons. */
  noun: string;
  options: { value: string; label: string }[];
  rows: MappingRow[];
  onChange: (rows: MappingRow[]) => void;
  /** The API's message for a claim value, if it refused one. */
  errorFor: (value: string) => string | undefined;
  disabled: boolean;
  /** false: the rows are shown, without the controls to change them. */
  editable: boolean;
}) {
  const update = (key: number, patch: Partial<MappingRow>) =>
    props.onChange(props.rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <fieldset class="plain mapping" disabled={props.disabled}>
      <legend>{props.legend}</legend>
      <p class="hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
      {props.rows.length > 0 ? (
        <ol class="mapping-rows">
          {props.rows.map((r, i) => {
            const error = r.value.trim() ? props.errorFor(r.value.trim()) : undefined;
            const errorId = `${props.id}-${r.key}-error`;
            return (
              <li key={r.key} class={error ? "has-error" : ""}>
                <div class="mapping-row">
                  <label class="visually-hidden" for={`${props.id}-${r.key}-value`}>
                    {`${props.legend} ${i + 1}: claim value`}
                  </label>
                  <input
                    id={`${props.id}-${r.key}-value`}
                    class="input"
                    value={r.value}
                    placeholder="Claim value, e.g. engineering"
                    autoComplete="off"
                    spellcheck={false}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? errorId : undefined}
                    onInput={(e) => update(r.key, { value: e.currentTarget.value })}
                  />
                  <span class="mapping-arrow" aria-hidden="true">
                    →
                  </span>
                  <label class="visually-hidden" for={`${props.id}-${r.key}-target`}>
                    {`${props.legend} ${i + 1}: ${props.noun}`}
                  </label>
                  <select
                    id={`${props.id}-${r.key}-target`}
                    class="input"
                    value={r.target}
                    onChange={(e) => update(r.key, { target: e.currentTarget.value })}
                  >
                    <option value="">Choose a {props.noun}…</option>
                    {props.options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  {props.editable ? (
                    <button
                      type="button"
                      class="button ghost small"
                      aria-label={`Remove ${props.noun} mapping ${i + 1}`}
                      onClick={() => props.onChange(props.rows.filter((x) => x.key !== r.key))}
                    >
                      Remove
                    </button>
                  ) : null}
                </div>
                {error ? (
                  <p class="field-error" id={errorId}>
                    {error}
                  </p>
                ) : null}
              </li>
            );
          })}
        </ol>
      ) : null}
      {props.editable ? (
        <div>
          <button
            type="button"
            class="button secondary small"
            onClick={() => props.onChange([...props.rows, newRow()])}
          >
            Add {props.noun} mapping
          </button>
        </div>
      ) : props.rows.length === 0 ? (
        <p class="muted">None.</p>
      ) : null}
    </fieldset>
  );
}
