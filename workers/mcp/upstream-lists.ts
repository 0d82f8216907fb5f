// Whole lists from an upstream: every page of a list method, and the tool list the connection
// test shows.
import {
  type RequestOptions,
  UpstreamConnection,
  UpstreamError,
  type UpstreamTarget,
} from "./upstream-client";

const MAX_LIST_PAGES = 20;

/** Every tool the upstream offers (all pages), for the connection test and the tool list. */
export async function listUpstreamTools(
  target: UpstreamTarget,
): Promise<{ name: string; description: string | null }[]> {
  const connection = new UpstreamConnection(target);
  try {
    const tools = await listAll(connection, "tools/list", "tools");
    return tools.flatMap((t) =>
      typeof t.name === "string"
        ? [{ name: t.name, description: typeof t.description === "string" ? t.description : null }]
        : [],
    );
  } finally {
    await connection.close();
  }
}

/** Follows `nextCursor` through a list method, returning the items under `key`. */
export async function listAll(
  connection: UpstreamConnection,
  method: string,
  key: string,
  opts: RequestOptions = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await connection.request(method, cursor ? { cursor } : undefined, opts);
    const list = result[key];
    if (!Array.isArray(list)) {
      throw new UpstreamError(
        "protocol",
        `The upstream server's ${method} answer has no "${key}".`,
      );
    }
    for (const item of list) {
      if (typeof item === "object" && item !== null) items.push(item as Record<string, unknown>);
    }
    cursor = typeof result.nextCursor === "string" ? result.nextCursor : undefined;
    if (!cursor) break;
  }
  return items;
}
