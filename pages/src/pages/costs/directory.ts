// Names for the ids in usage and limits: users, LLM proxies and virtual keys, each read only
// when the signed-in user may list them. null means "not available": show the id instead.
import type {
  ListOf,
  LlmProxyView,
  MemberView,
  VirtualKeyView,
} from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";

/** Enough of a team to name it. */
interface TeamName {
  id: string;
  name: string;
}

export interface Directory {
  users: MemberView[] | null;
  teams: TeamName[] | null;
  proxies: LlmProxyView[] | null;
  keys: VirtualKeyView[] | null;
}

const EMPTY: Directory = { users: null, teams: null, proxies: null, keys: null };

async function list<T>(allowed: boolean, path: string): Promise<T[] | null> {
  if (!allowed) return null;
  // A list that fails to load only costs us names; the page still works with ids.
  return api.get<ListOf<T>>(path).then(
    (r) => r.data,
    () => null,
  );
}

export function useDirectory(): Directory {
  const { can } = useSession();
  const loaded = useResource(async () => {
    const [users, teams, proxies, keys] = await Promise.all([
      list<MemberView>(can("member:read"), "/users"),
      list<TeamName>(can("team:read"), "/teams"),
      list<LlmProxyView>(can("llmProxy:read"), "/llm-proxies"),
      list<VirtualKeyView>(can("llmVirtualKey:read"), "/virtual-keys"),
    ]);
    return { users, teams, proxies, keys };
  }, []);
  return loaded.state === "ready" ? loaded.data : EMPTY;
}

export function userName(dir: Directory, id: string): string {
  const user = dir.users?.find((u) => u.id === id);
  return user ? user.name || user.email : id;
}

export function teamName(dir: Directory, id: string): string {
  return dir.teams?.find((t) => t.id === id)?.name ?? id;
}

export function proxyName(dir: Directory, id: string): string {
  return dir.proxies?.find((p) => p.id === id)?.name ?? id;
}

export function keyName(dir: Directory, id: string): string {
  return dir.keys?.find((k) => k.id === id)?.name ?? id;
}
