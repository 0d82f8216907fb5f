// The profile page with its "Connected apps" section: the apps the signed-in person allowed to
// use an MCP gateway as them, each one disconnectable.
import { ProfilePage } from "../profile";
import "../mcp-gateways/mcp-gateways.css";
import { ConnectionsCard } from "../mcp-gateways/connections-card";

export function ProfileWithAppsPage() {
  return (
    <>
      <ProfilePage />
      <ConnectedApps />
    </>
  );
}

function ConnectedApps() {
  return (
    <ConnectionsCard
      all={false}
      title="Connected apps"
      emptyText="When you connect an app such as Claude Desktop to an MCP gateway and allow it, it appears here. Disconnect it to take its access away."
    />
  );
}
