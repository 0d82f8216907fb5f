// Pieces of a list's filter bar: a labelled select whose empty option means "any", a typed
// filter applied once typing pauses, and the Clear filters button.
import { useEffect, useState } from "preact/hooks";

export function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  /** The empty option's text, e.g. "Any outcome". */
  any: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        class="input"
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        <option value="">{props.any}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The text of the filter `field` as it is being typed: applied through `onChange` once typing
 * pauses, and cleared when the filters are cleared elsewhere (an empty state's button).
 */
export function useTypedFilter<K extends string, F extends Record<K, string>>(
  filters: F,
  field: K,
  onChange: (filters: F) => void,
): [string, (text: string) => void] {
  const applied: string = filters[field];
  const [text, setText] = useState(applied);
  useEffect(() => setText(applied), [applied]);
  useEffect(() => {
    if (text === applied) return;
    const timer = setTimeout(() => onChange({ ...filters, [field]: text }), 350);
    return () => clearTimeout(timer);
  }, [text, filters, field, applied, onChange]);
  return [text, setText];
}

export function ClearFiltersButton(props: { onClear: () => void }) {
  return (
    <button type="button" class="button ghost" onClick={props.onClear}>
      Clear filters
    </button>
  );
}
