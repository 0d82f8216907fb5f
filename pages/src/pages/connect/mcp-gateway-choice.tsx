// The MCP gateway a member connects with, shared by step 2 (where they choose it) and step 3
// (the configuration that includes it). It lists the gateways the member may use; "none"
// (inference only) is the default unless exactly one exists, which is then chosen for them.
import { type ComponentChildren, createContext } from "preact";
import { useContext, useState } from "preact/hooks";
import type { ListOf, McpGatewayView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { type Resource, useResource } from "../../lib/use-resource";

export interface McpGatewayChoice {
  gateways: Resource<McpGatewayView[]>;
  /** The chosen gateway; null: inference only. */
  selected: McpGatewayView | null;
  choose: (id: string | null) => void;
}

const NO_CHOICE: McpGatewayChoice = {
  gateways: { state: "ready", data: [], refreshing: false, reload: () => undefined },
  selected: null,
  choose: () => undefined,
};

const ChoiceContext = createContext<McpGatewayChoice>(NO_CHOICE);

/** The first load preselects the only gateway; after that the member's choice stands. */
function pick(gateways: McpGatewayView[], chosen: string | null | undefined) {
  if (chosen === undefined) return gateways.length === 1 ? (gateways[0] ?? null) : null;
  return gateways.find((g) => g.id === chosen) ?? null;
}

export function McpGatewayChoiceProvider(props: { children: ComponentChildren }) {
  const gateways = useResource(() =>
    api.get<ListOf<McpGatewayView>>("/mcp-gateways", { usable: "true" }).then((r) => r.data),
  );
  // undefined: not chosen yet (the default applies); null: "None (inference only)".
  const [chosen, setChosen] = useState<string | null | undefined>(undefined);
  const list = gateways.state === "ready" ? gateways.data : [];
  const value: McpGatewayChoice = {
    gateways,
    selected: pick(list, chosen),
    choose: setChosen,
  };
  return <ChoiceContext.Provider value={value}>{props.children}</ChoiceContext.Provider>;
}

/** Outside the provider there is no choice: inference only. */
export function useMcpGatewayChoice(): McpGatewayChoice {
  return useContext(ChoiceContext);
}

/** The command that adds a gateway's tools to Claude Code. */
export function claudeMcpAddCommand(gateway: McpGatewayView): string {
  return `claude mcp add --transport http ${gateway.connectorName} ${gateway.url}`;
}
