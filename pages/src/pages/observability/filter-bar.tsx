// The view's controls: the range (last hour, 24 hours, 7 days) and the filters (person, agent,
// model, proxy, gateway), whose choices are what was seen in the range. A value in the URL that
// was not seen stays selectable, so a shared link keeps its filter.
import type { ObservabilityFilterOptions } from "../../../../shared/api-types";
import { ClearFiltersButton, FilterSelect } from "../../ui/filter-fields";
import {
  FILTER_KEYS,
  type FilterKey,
  type Filters,
  hasFilters,
  RANGES,
  type RangeKey,
  type View,
} from "./view-query";

export function RangePicker(props: { view: View; onChange: (view: View) => void }) {
  return (
    <fieldset class="segmented">
      <legend class="visually-hidden">Time range</legend>
      {(Object.keys(RANGES) as RangeKey[]).map((key) => (
        <button
          key={key}
          type="button"
          aria-pressed={props.view.range === key}
          onClick={() => props.onChange({ range: key, filters: props.view.filters })}
        >
          {RANGES[key].label}
        </button>
      ))}
    </fieldset>
  );
}

interface Option {
  value: string;
  label: string;
}

function choices(options: ObservabilityFilterOptions | null): Record<FilterKey, Option[]> {
  return {
    userId: (options?.people ?? []).map((p) => ({
      value: p.id,
      label: p.email ?? p.name ?? p.id,
    })),
    agentId: (options?.agents ?? []).map((a) => ({ value: a, label: a })),
    model: (options?.models ?? []).map((m) => ({ value: m, label: m })),
    proxyId: (options?.proxies ?? []).map((p) => ({ value: p.id, label: p.name ?? p.id })),
    gatewayId: (options?.gateways ?? []).map((g) => ({ value: g.id, label: g.name ?? g.slug })),
  };
}

const FIELDS: Record<FilterKey, { label: string; any: string }> = {
  userId: { label: "Person", any: "Anyone" },
  agentId: { label: "Agent", any: "Any agent" },
  model: { label: "Model", any: "Any model" },
  proxyId: { label: "Proxy", any: "Any proxy" },
  gatewayId: { label: "MCP gateway", any: "Any gateway" },
};

export function FilterBar(props: {
  filters: Filters;
  options: ObservabilityFilterOptions | null;
  onChange: (filters: Filters) => void;
}) {
  const lists = choices(props.options);
  return (
    <form
      class="filters obs-filters"
      aria-label="Filter requests and tool calls"
      onSubmit={(e) => e.preventDefault()}
    >
      {FILTER_KEYS.map((key) => {
        const value = props.filters[key];
        const seen = lists[key];
        const options =
          value && !seen.some((o) => o.value === value) ? [...seen, { value, label: value }] : seen;
        return (
          <FilterSelect
            key={key}
            id={`obs-filter-${key}`}
            label={FIELDS[key].label}
            value={value}
            any={FIELDS[key].any}
            options={options}
            onChange={(next) => props.onChange({ ...props.filters, [key]: next })}
          />
        );
      })}
      {hasFilters(props.filters) ? (
        <ClearFiltersButton
          onClear={() =>
            props.onChange(Object.fromEntries(FILTER_KEYS.map((k) => [k, ""])) as Filters)
          }
        />
      ) : null}
    </form>
  );
}
