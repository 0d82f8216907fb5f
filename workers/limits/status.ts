// Current usage of a limit, read from the Durable Object that enforces it.
import { eq } from "drizzle-orm";
import { type Limit, virtualKeys } from "../../d1/schema";
import { db } from "../db";
import { orgLimits } from "./config-cache";
import { viewsAt } from "./gates";
import { toRule } from "./plan";

export interface LimitStatus {
  /** Settled usage in the current window (µ$, tokens or requests). */
  used: number;
  /** Held by requests still in flight. */
  reserved: number;
  remaining: number;
  /** When the current window ends, or (rolling windows) when the oldest usage slides out. */
  resetAt: number;
}

async function gateOf(env: Env, limit: Limit): Promise<string | null> {
  switch (limit.scope) {
    case "organisation":
      return `org:${limit.orgId}`;
    case "llm_proxy":
      return `proxy:${limit.scopeId}`;
    case "team":
      return `team:${limit.scopeId}`;
    case "user":
      return `user:${limit.scopeId}`;
    case "virtual_key": {
      const [key] = await db(env)
        .select({ owner: virtualKeys.ownerUserId })
        .from(virtualKeys)
        .where(eq(virtualKeys.id, limit.scopeId ?? ""));
      return key ? `user:${key.owner}` : null;
    }
    default:
      // A default per-user limit has a usage per user, not one figure.
      return null;
  }
}

export async function limitStatus(env: Env, limit: Limit): Promise<LimitStatus | null> {
  const gate = await gateOf(env, limit);
  if (!gate) return null;
  const { timeZone } = await orgLimits(env, limit.orgId);
  const [view] = await viewsAt(env, gate, [toRule(limit)], timeZone);
  if (!view) return null;
  return {
    used: view.used,
    reserved: view.reserved,
    remaining: view.remaining,
    resetAt: view.resetAt,
  };
}
