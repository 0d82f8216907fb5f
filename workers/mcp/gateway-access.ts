// May this user use this MCP gateway right now? Asked on every MCP request (and by the consent
// screen and Connect), so it is one D1 statement: the user exists, is active, belongs to the
// gateway's organisation, and — when the gateway is limited to teams — is in one of them.

export type GatewayAccess = { ok: true } | { ok: false; reason: string };

interface AccessRow {
  gateway_org: string | null;
  user_org: string | null;
  user_status: string | null;
  restricted: number;
  in_team: number;
}

// Always one row (the FROM is a one-row table), so a missing user or gateway shows as NULLs.
const ACCESS_SQL = `
SELECT
  (SELECT org_id FROM mcp_gateways WHERE id = ?1) AS gateway_org,
  (SELECT org_id FROM users WHERE id = ?2) AS user_org,
  (SELECT status FROM users WHERE id = ?2) AS user_status,
  EXISTS (SELECT 1 FROM mcp_gateway_teams WHERE gateway_id = ?1) AS restricted,
  EXISTS (
    SELECT 1 FROM mcp_gateway_teams gt
    JOIN team_members tm ON tm.team_id = gt.team_id
    WHERE gt.gateway_id = ?1 AND tm.user_id = ?2
  ) AS in_team`;

export async function gatewayAccess(
  env: Env,
  gatewayId: string,
  userId: string,
): Promise<GatewayAccess> {
  const row = await env.DB.prepare(ACCESS_SQL).bind(gatewayId, userId).first<AccessRow>();
  if (!row?.gateway_org) return { ok: false, reason: "This MCP gateway no longer exists." };
  if (!row.user_org) return { ok: false, reason: "Your account no longer exists." };
  if (row.user_status !== "active") return { ok: false, reason: "Your account is deactivated." };
  if (row.user_org !== row.gateway_org) {
    return { ok: false, reason: "This MCP gateway belongs to another organisation." };
  }
  if (row.restricted && !row.in_team) {
    return { ok: false, reason: "This MCP gateway is limited to teams you are not in." };
  }
  return { ok: true };
}
