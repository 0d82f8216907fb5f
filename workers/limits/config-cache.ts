// An organisation's limits, price overrides and limit settings, cached in the isolate for a
// few seconds like the proxy's other lookups (and refreshed in the background for a minute
// after that, kept as they are while the organisation's config_revision has not moved), so
// admission needs no D1 query in steady state.
import { eq } from "drizzle-orm";
import { type Limit, limits, modelPrices, organisations } from "../../d1/schema";
import type { ModelPrice } from "../../shared/pricing";
import { TtlCache, type WaitUntil } from "../../shared/ttl-cache";
import { forgetRevisions, stillCurrent } from "../config-revision";
import { db } from "../db";

export interface OrgLimits {
  timeZone: string;
  failMode: "closed" | "open";
  /** Price for models with none of their own; undefined = unpriced. */
  defaultPrice: ModelPrice | undefined;
  prices: ReadonlyMap<string, ModelPrice>;
  limits: readonly Limit[];
  orgId: string;
  /** The organisation's config_revision when this was loaded. */
  revision: number;
}

const cache = new TtlCache<OrgLimits>(5_000, 10_000, 60_000);

/** With `waitUntil`, a recently expired entry answers while it reloads in the background. */
export function orgLimits(env: Env, orgId: string, waitUntil?: WaitUntil): Promise<OrgLimits> {
  return cache.getOrRefresh(
    orgId,
    async (previous) => {
      if (previous && (await stillCurrent(env, previous, waitUntil))) return previous;
      const [org, rules, overrides] = await Promise.all([
        db(env).select().from(organisations).where(eq(organisations.id, orgId)),
        db(env).select().from(limits).where(eq(limits.orgId, orgId)),
        db(env).select().from(modelPrices).where(eq(modelPrices.orgId, orgId)),
      ]);
      const settings = org[0];
      return {
        timeZone: settings?.timeZone ?? "UTC",
        failMode: settings?.limitFailMode ?? "closed",
        defaultPrice: settings?.defaultModelPrice ?? undefined,
        prices: new Map(
          overrides.map(({ model, orgId: _, updatedAt: __, ...price }) => [model, price]),
        ),
        limits: rules,
        orgId,
        revision: settings?.configRevision ?? 0,
      };
    },
    waitUntil,
  );
}

/** Called after admin writes so this isolate sees them at once (others within 5 s). */
export function invalidateOrgLimits(orgId: string): void {
  cache.delete(orgId);
  forgetRevisions();
}
