// The Connect page with its MCP gateway choice: the page's steps read and set the chosen
// gateway through the provider wrapped around them.
import { ConnectPage } from "../connect";
import { McpGatewayChoiceProvider } from "./mcp-gateway-choice";

export function ConnectWithMcpPage() {
  return (
    <McpGatewayChoiceProvider>
      <ConnectPage />
    </McpGatewayChoiceProvider>
  );
}
