// The audit log's filters: outcome, action prefix (typed; applied after a short pause), actor
// and resource type. Each applies as soon as it changes.
import { useEffect, useState } from "preact/hooks";
import type { MemberView } from "../../../../shared/api-types";
import { RESOURCE_TYPES } from "./labels";
import { type AuditFilters, hasFilters, NO_FILTERS } from "./use-audit-log";

export function AuditFilterBar(props: {
  filters: AuditFilters;
  people: MemberView[] | null;
  onChange: (filters: AuditFilters) => void;
}) {
  const { filters, onChange } = props;
  const [action, setAction] = useState(filters.action);
  // Filters cleared elsewhere (the empty state's button) clear the box too.
  useEffect(() => setAction(filters.action), [filters.action]);
  // Typing is applied once it pauses, not on every key.
  useEffect(() => {
    if (action === filters.action) return;
    const timer = setTimeout(() => onChange({ ...filters, action }), 350);
    return () => clearTimeout(timer);
  }, [action, filters, onChange]);
  const set = (patch: Partial<AuditFilters>) => onChange({ ...filters, action, ...patch });

  return (
    <form
      class="filters audit-filters"
      aria-label="Filter the audit log"
      onSubmit={(e) => {
        e.preventDefault();
        set({});
      }}
    >
      <div class="field">
        <label for="audit-outcome">Outcome</label>
        <select
          id="audit-outcome"
          class="input"
          value={filters.outcome}
          onChange={(e) => set({ outcome: e.currentTarget.value as AuditFilters["outcome"] })}
        >
          <option value="">Any outcome</option>
          <option value="success">Success</option>
          <option value="denied">Denied</option>
          <option value="error">Error</option>
        </select>
      </div>
      <div class="field">
        <label for="audit-action">Action starts with</label>
        <input
          id="audit-action"
          class="input"
          type="search"
          value={action}
          placeholder="e.g. team"
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => setAction(e.currentTarget.value)}
        />
      </div>
      {props.people ? (
        <div class="field">
          <label for="audit-actor">Who</label>
          <select
            id="audit-actor"
            class="input"
            value={filters.actorUserId}
            onChange={(e) => set({ actorUserId: e.currentTarget.value })}
          >
            <option value="">Anyone</option>
            {props.people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.email})
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div class="field">
        <label for="audit-resource">Resource type</label>
        <select
          id="audit-resource"
          class="input"
          value={filters.resourceType}
          onChange={(e) => set({ resourceType: e.currentTarget.value })}
        >
          <option value="">Any resource</option>
          {Object.entries(RESOURCE_TYPES).map(([type, label]) => (
            <option key={type} value={type}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {hasFilters({ ...filters, action }) ? (
        <button
          type="button"
          class="button ghost"
          onClick={() => {
            setAction("");
            onChange(NO_FILTERS);
          }}
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
