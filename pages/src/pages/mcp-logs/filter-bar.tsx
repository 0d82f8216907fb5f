// The MCP log's filters: person, gateway, server, tool (typed; applied after a short pause),
// outcome and a time range. Lists the signed-in role may not read are left out.
import type { McpGatewayView, McpServerView, MemberView } from "../../../../shared/api-types";
import { ClearFiltersButton, FilterSelect, useTypedFilter } from "../../ui/filter-fields";
import { OUTCOMES } from "./labels";
import { hasFilters, type McpLogFilters, NO_FILTERS } from "./use-mcp-log";

export function McpLogFilterBar(props: {
  filters: McpLogFilters;
  people: MemberView[] | null;
  gateways: McpGatewayView[] | null;
  servers: McpServerView[] | null;
  onChange: (filters: McpLogFilters) => void;
}) {
  const { filters, onChange } = props;
  const [tool, setTool] = useTypedFilter(filters, "tool", onChange);
  const set = (patch: Partial<McpLogFilters>) => onChange({ ...filters, tool, ...patch });

  return (
    <form
      class="filters mcp-log-filters"
      aria-label="Filter the MCP log"
      onSubmit={(e) => {
        e.preventDefault();
        set({});
      }}
    >
      {props.people ? (
        <FilterSelect
          id="mcp-log-user"
          label="Person"
          value={filters.userId}
          any="Anyone"
          options={props.people.map((p) => ({ value: p.id, label: `${p.name} (${p.email})` }))}
          onChange={(userId) => set({ userId })}
        />
      ) : null}
      {props.gateways ? (
        <FilterSelect
          id="mcp-log-gateway"
          label="Gateway"
          value={filters.gatewayId}
          any="Any gateway"
          options={props.gateways.map((g) => ({ value: g.id, label: g.name }))}
          onChange={(gatewayId) => set({ gatewayId })}
        />
      ) : null}
      {props.servers ? (
        <FilterSelect
          id="mcp-log-server"
          label="Server"
          value={filters.serverId}
          any="Any server"
          options={props.servers.map((s) => ({ value: s.id, label: s.name }))}
          onChange={(serverId) => set({ serverId })}
        />
      ) : null}
      <div class="field">
        <label for="mcp-log-tool">Tool</label>
        <input
          id="mcp-log-tool"
          class="input"
          type="search"
          value={tool}
          placeholder="e.g. github__search"
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => setTool(e.currentTarget.value)}
        />
      </div>
      <FilterSelect
        id="mcp-log-outcome"
        label="Outcome"
        value={filters.outcome}
        any="Any outcome"
        options={Object.entries(OUTCOMES).map(([value, o]) => ({ value, label: o.label }))}
        onChange={(outcome) => set({ outcome: outcome as McpLogFilters["outcome"] })}
      />
      <div class="field">
        <label for="mcp-log-from">From</label>
        <input
          id="mcp-log-from"
          class="input"
          type="datetime-local"
          value={filters.from}
          onChange={(e) => set({ from: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="mcp-log-to">To</label>
        <input
          id="mcp-log-to"
          class="input"
          type="datetime-local"
          value={filters.to}
          onChange={(e) => set({ to: e.currentTarget.value })}
        />
      </div>
      {hasFilters({ ...filters, tool }) ? (
        <ClearFiltersButton
          onClear={() => {
            setTool("");
            onChange(NO_FILTERS);
          }}
        />
      ) : null}
    </form>
  );
}
