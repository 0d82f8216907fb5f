// What the Teams views load besides teams: the LLM proxies and MCP gateways (to name the ones
// restricted to a team) and the organisation's people (to add to a team). Each is null when the signed-in
// role may not read it.
import type {
  ListOf,
  LlmProxyView,
  McpGatewayView,
  MemberView,
} from "../../../../shared/api-types";
import { api } from "../../lib/api";

export function loadProxies(allowed: boolean): Promise<LlmProxyView[] | null> {
  if (!allowed) return Promise.resolve(null);
  return api.get<ListOf<LlmProxyView>>("/llm-proxies").then((r) => r.data);
}

export function loadPeople(allowed: boolean): Promise<MemberView[] | null> {
  if (!allowed) return Promise.resolve(null);
  return api.get<ListOf<MemberView>>("/users").then((r) => r.data);
}

/** Proxies restricted to this team and no other: deleting the team opens them to everyone. */
/** The proxies or gateways restricted to this team alone (they open up when it goes). */
export function onlyThisTeam<T extends { teamIds?: string[] }>(
  items: T[] | null,
  teamId: string,
): T[] {
  return (items ?? []).filter((p) => p.teamIds?.length === 1 && p.teamIds[0] === teamId);
}

export function loadGateways(allowed: boolean): Promise<McpGatewayView[] | null> {
  if (!allowed) return Promise.resolve(null);
  return api.get<ListOf<McpGatewayView>>("/mcp-gateways").then((r) => r.data);
}

export const teamHref = (id: string) => `/teams?team=${encodeURIComponent(id)}`;

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
