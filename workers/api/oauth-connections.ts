// Connected clients: the OAuth grants people gave apps (Claude Desktop…) to use MCP gateways
// as them. Everyone sees and revokes their own; member:read shows anyone's in the organisation
// and member:update revokes them. Grants live in the OAuth KV (workers-oauth-provider), listed
// per user; revoking one also revokes its access and refresh tokens at once.
import type { GrantSummary, OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { and, asc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { mcpGateways, users } from "../../d1/schema";
import type { McpConnectionView } from "../../shared/api-types";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { forbidden, GatewayError, notFound } from "../errors";
import { McpGrantMetadataSchema } from "../oauth/grant-props";
import { authorizationServerFor, canonicalOrigin } from "../oauth/server";
import { publicOrigin } from "../public-origin";
import { can } from "./permissions";
import { route } from "./route";
import { Id } from "./schemas";

type Ctx = Context<AppEnv>;

interface Person {
  id: string;
  email: string | null;
}

/** The OAuth helpers, or null while no gateway exists (then nobody can have a connection). */
async function helpers(c: Ctx): Promise<OAuthHelpers | null> {
  try {
    const server = await authorizationServerFor(c.env, canonicalOrigin(publicOrigin(c)));
    return server.getOAuthApi(c.env);
  } catch (err) {
    if (err instanceof GatewayError && err.status === 404) return null;
    throw err;
  }
}

async function allGrants(oauth: OAuthHelpers, userId: string): Promise<GrantSummary[]> {
  const grants: GrantSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await oauth.listUserGrants(userId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    grants.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return grants;
}

/** A user of the caller's organisation, or a 404. */
async function orgUser(c: Ctx, userId: string): Promise<Person> {
  const [row] = await db(c.env)
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such user in this organisation.");
  return row;
}

function connectionView(
  grant: GrantSummary,
  person: Person,
  gatewayNames: Map<string, string>,
): McpConnectionView {
  const metadata = McpGrantMetadataSchema.safeParse(grant.metadata ?? {});
  const slug = metadata.success ? metadata.data.gatewaySlug : null;
  return {
    id: grant.id,
    user: { id: person.id, email: person.email },
    client: {
      id: grant.clientId,
      name: metadata.success ? metadata.data.clientName : null,
    },
    gateway: { slug, name: slug ? (gatewayNames.get(slug) ?? null) : null },
    scopes: [...grant.scope],
    createdAt: grant.createdAt * 1000,
    expiresAt: grant.expiresAt ? grant.expiresAt * 1000 : null,
  };
}

const BATCH = 10;

export const oauthConnectionRoutes = [
  route({
    method: "get",
    path: "/oauth/connections",
    summary:
      "Apps connected to MCP gateways (OAuth grants): the caller's own; another user's (?userId=) or everyone's in the organisation (?all=true) with member:read",
    access: "signed-in",
    query: z.object({
      userId: Id.optional(),
      all: z.enum(["true", "false"]).optional(),
    }),
    async handler(c, { query }) {
      const me = c.get("user");
      const everyone = query.all === "true";
      const other = query.userId !== undefined && query.userId !== me.id;
      if ((everyone || other) && !can(me, "member:read")) {
        throw forbidden("Seeing other people's connections needs the permission 'member:read'.");
      }
      let people: Person[];
      if (everyone) {
        people = await db(c.env)
          .select({ id: users.id, email: users.email })
          .from(users)
          .where(eq(users.orgId, me.orgId))
          .orderBy(asc(users.email));
      } else if (other && query.userId) {
        people = [await orgUser(c, query.userId)];
      } else {
        people = [{ id: me.id, email: me.email }];
      }
      const oauth = await helpers(c);
      if (!oauth) return c.json({ data: [] as McpConnectionView[] });
      const gateways = await db(c.env)
        .select({ slug: mcpGateways.slug, name: mcpGateways.name })
        .from(mcpGateways)
        .where(eq(mcpGateways.orgId, me.orgId));
      const names = new Map(gateways.map((g) => [g.slug, g.name]));
      const data: McpConnectionView[] = [];
      for (let i = 0; i < people.length; i += BATCH) {
        const batch = people.slice(i, i + BATCH);
        const lists = await Promise.all(batch.map((p) => allGrants(oauth, p.id)));
        batch.forEach((person, j) => {
          for (const grant of lists[j] ?? []) data.push(connectionView(grant, person, names));
        });
      }
      data.sort((a, b) => b.createdAt - a.createdAt);
      return c.json({ data });
    },
  }),
  route({
    method: "delete",
    path: "/oauth/connections/:userId/:grantId",
    summary:
      "Disconnect an app: revoke the grant and its tokens (your own; someone else's needs member:update)",
    access: "signed-in",
    audit: { resource: "oauthConnection", action: "delete" },
    async handler(c) {
      const me = c.get("user");
      const userId = c.req.param("userId") ?? "";
      const grantId = c.req.param("grantId") ?? "";
      await orgUser(c, userId);
      if (userId !== me.id && !can(me, "member:update")) {
        throw forbidden("Disconnecting someone else's apps needs the permission 'member:update'.");
      }
      const oauth = await helpers(c);
      const grant = oauth
        ? (await allGrants(oauth, userId)).find((g) => g.id === grantId)
        : undefined;
      if (!oauth || !grant) throw notFound("No such connection.");
      await oauth.revokeGrant(grantId, userId);
      return c.body(null, 204);
    },
  }),
];
