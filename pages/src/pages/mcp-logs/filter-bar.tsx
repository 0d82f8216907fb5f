// The MCP log's filters: person, gateway, server, tool (typed; applied after a short pause),
// outcome and a time range. Lists the signed-in role may not read are left out.
import { useEffect, useState } from "preact/hooks";
import type { McpGatewayView, McpServerView, MemberView } from "../../../../shared/api-types";
import { OUTCOMES } from "./labels";
import { hasFilters, type McpLogFilters, NO_FILTERS } from "./use-mcp-log";

function Select(props: {
  id: string;
  label: string;
  value: string;
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

export function McpLogFilterBar(props: {
  filters: McpLogFilters;
  people: MemberView[] | null;
  gateways: McpGatewayView[] | null;
  servers: McpServerView[] | null;
  onChange: (filters: McpLogFilters) => void;
}) {
  const { filters, onChange } = props;
  const [tool, setTool] = useState(filters.tool);
  useEffect(() => setTool(filters.tool), [filters.tool]);
  useEffect(() => {
    if (tool === filters.tool) return;
    const timer = setTimeout(() => onChange({ ...filters, tool }), 350);
    return () => clearTimeout(timer);
  }, [tool, filters, onChange]);
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
        <Select
          id="mcp-log-user"
          label="Person"
          value={filters.userId}
          any="Anyone"
          options={props.people.map((p) => ({ value: p.id, label: `${p.name} (${p.email})` }))}
          onChange={(userId) => set({ userId })}
        />
      ) : null}
      {props.gateways ? (
        <Select
          id="mcp-log-gateway"
          label="Gateway"
          value={filters.gatewayId}
          any="Any gateway"
          options={props.gateways.map((g) => ({ value: g.id, label: g.name }))}
          onChange={(gatewayId) => set({ gatewayId })}
        />
      ) : null}
      {props.servers ? (
        <Select
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
      <Select
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
        <button
          type="button"
          class="button ghost"
          onClick={() => {
            setTool("");
            onChange(NO_FILTERS);
          }}
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
