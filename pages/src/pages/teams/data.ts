// What the Teams views load besides teams: the LLM proxies (to name the ones restricted to a
// team) and the organisation's people (to add to a team). Each is null when the signed-in
// role may not read it.
import type { ListOf, LlmProxyView, MemberView } from "../../../../shared/api-types";
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
export function onlyThisTeam(proxies: LlmProxyView[] | null, teamId: string): LlmProxyView[] {
  return (proxies ?? []).filter((p) => p.teamIds?.length === 1 && p.teamIds[0] === teamId);
}

export const teamHref = (id: string) => `/teams?team=${encodeURIComponent(id)}`;

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
