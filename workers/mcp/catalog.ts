// What a session's upstreams offer (tools, resources, resource templates, prompts), fetched in
// parallel, each upstream with its own timeout, and kept for the session until the upstream
// says its list changed. An upstream that fails or is slow is left out of the merged list (and
// asked again after a short pause), so it cannot break the others.
import { disabledKey } from "./gateway-cache";
import type { SessionContext, UpstreamServer } from "./session-context";
import { exposeNames, type UpstreamName } from "./tool-names";
import type { UpstreamConnection } from "./upstream-client";
import { listAll } from "./upstream-lists";

export type ListKind = "tools" | "resources" | "resourceTemplates" | "prompts";

const METHOD: Record<ListKind, string> = {
  tools: "tools/list",
  resources: "resources/list",
  resourceTemplates: "resources/templates/list",
  prompts: "prompts/list",
};

const FRESH_MS = 5 * 60_000;
const RETRY_FAILED_MS = 10_000;
const LIST_TIMEOUT_MS = 10_000;

interface Listing {
  items: Record<string, unknown>[];
  at: number;
  failed: boolean;
}

export interface CatalogEntry extends UpstreamName {
  item: Record<string, unknown>;
}

export class Catalog {
  readonly #listings = new Map<string, Listing>();

  constructor(private readonly connect: (server: UpstreamServer) => UpstreamConnection) {}

  /** Forget one upstream's list (it announced a change) or, without a server, everything. */
  invalidate(kind: ListKind, serverId?: string): void {
    for (const key of [...this.#listings.keys()]) {
      if (key.startsWith(`${kind}\n`) && (!serverId || key.endsWith(`\n${serverId}`))) {
        this.#listings.delete(key);
      }
    }
  }

  async #listing(kind: ListKind, server: UpstreamServer, fresh: boolean): Promise<Listing> {
    const key = `${kind}\n${server.id}:${server.version}\n${server.id}`;
    const now = Date.now();
    const hit = this.#listings.get(key);
    if (hit && !fresh && now - hit.at < (hit.failed ? RETRY_FAILED_MS : FRESH_MS)) return hit;
    const timeoutMs = Math.min(server.timeoutMs, LIST_TIMEOUT_MS);
    const listing = await listAll(this.connect(server), METHOD[kind], kind, { timeoutMs }).then(
      (items): Listing => ({ items, at: now, failed: false }),
      (): Listing => ({ items: [], at: now, failed: true }),
    );
    this.#listings.set(key, listing);
    return listing;
  }

  /**
   * The merged list of one kind, each item with the upstream it came from. Tools switched off
   * are left out. `fresh` asks every upstream again.
   */
  async entries(ctx: SessionContext, kind: ListKind, fresh = false): Promise<CatalogEntry[]> {
    const disabled = new Set(ctx.disabledTools);
    const perServer = await Promise.all(
      ctx.servers.map(async (server) => {
        const { items } = await this.#listing(kind, server, fresh);
        return items.flatMap((item): CatalogEntry[] => {
          const name = typeof item.name === "string" ? item.name : null;
          if (!name) return [];
          if (kind === "tools" && disabled.has(disabledKey(server.id, name))) return [];
          return [{ serverId: server.id, serverName: server.name, name, item }];
        });
      }),
    );
    return perServer.flat();
  }

  /** Exposed name → entry, for tools and prompts (`<server>__<name>`). */
  async named(ctx: SessionContext, kind: "tools" | "prompts", fresh = false) {
    return exposeNames(await this.entries(ctx, kind, fresh));
  }
}
