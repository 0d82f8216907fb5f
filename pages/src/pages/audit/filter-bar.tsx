// The audit log's filters: outcome, action prefix (typed; applied after a short pause), actor
// and resource type. Each applies as soon as it changes.
import type { MemberView } from "../../../../shared/api-types";
import { ClearFiltersButton, FilterSelect, useTypedFilter } from "../../ui/filter-fields";
import { RESOURCE_TYPES } from "./labels";
import { type AuditFilters, hasFilters, NO_FILTERS } from "./use-audit-log";

const OUTCOME_OPTIONS = [
  { value: "success", label: "Success" },
  { value: "denied", label: "Denied" },
  { value: "error", label: "Error" },
];

export function AuditFilterBar(props: {
  filters: AuditFilters;
  people: MemberView[] | null;
  onChange: (filters: AuditFilters) => void;
}) {
  const { filters, onChange } = props;
  const [action, setAction] = useTypedFilter(filters, "action", onChange);
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
      <FilterSelect
        id="audit-outcome"
        label="Outcome"
        value={filters.outcome}
        any="Any outcome"
        options={OUTCOME_OPTIONS}
        onChange={(outcome) => set({ outcome: outcome as AuditFilters["outcome"] })}
      />
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
        <FilterSelect
          id="audit-actor"
          label="Who"
          value={filters.actorUserId}
          any="Anyone"
          options={props.people.map((p) => ({ value: p.id, label: `${p.name} (${p.email})` }))}
          onChange={(actorUserId) => set({ actorUserId })}
        />
      ) : null}
      <FilterSelect
        id="audit-resource"
        label="Resource type"
        value={filters.resourceType}
        any="Any resource"
        options={Object.entries(RESOURCE_TYPES).map(([value, label]) => ({ value, label }))}
        onChange={(resourceType) => set({ resourceType })}
      />
      {hasFilters({ ...filters, action }) ? (
        <ClearFiltersButton
          onClear={() => {
            setAction("");
            onChange(NO_FILTERS);
          }}
        />
      ) : null}
    </form>
  );
}
