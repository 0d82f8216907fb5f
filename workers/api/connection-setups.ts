// The Connect flow's keys and the Claude Desktop profile. Each user gets, per proxy, one
// standard key "Connection setup — <email>" and one passthrough key "Connection passthrough —
// <email>", made on first use and reused on every later download. A unique index makes
// concurrent first downloads agree on one pair. The profile names an MCP gateway when one is
// chosen (and the caller may use it); otherwise it is inference-only.
import { and, eq, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import {
  type LlmProxy,
  llmProxies,
  type McpGateway,
  type User,
  users,
  type VirtualKey,
  virtualKeys,
} from "../../d1/schema";
import type { ConnectionCredentials } from "../../shared/api-types";
import {
  AGENT_ID_CLAUDE_DESKTOP,
  claudeDesktopProfile,
  maskedProfile,
  profileFileName,
  profileJson,
} from "../../shared/claude-desktop-profile";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { badRequest, conflict, forbidden, notFound } from "../errors";
import { gatewayAccess } from "../mcp/gateway-access";
import { publicOrigin } from "../public-origin";
import { checkMayUseProxy, findOrgProxy, proxyBaseUrl } from "./llm-proxies";
import { findOrgGateway } from "./mcp/gateway-store";
import { can } from "./permissions";
import { route } from "./route";
import { Id } from "./schemas";
import { mintKey, publicKey, revealToken, revokeKeys } from "./virtual-keys/mint";

type Ctx = Context<AppEnv>;
type Kind = VirtualKey["kind"];

const KEY_NAMES: Record<Kind, (email: string) => string> = {
  standard: (email) => `Connection setup — ${email}`,
  passthrough: (email) => `Connection passthrough — ${email}`,
};

async function liveConnectionKey(env: Env, userId: string, proxyId: string, kind: Kind) {
  const [row] = await db(env)
    .select()
    .from(virtualKeys)
    .where(
      and(
        eq(virtualKeys.ownerUserId, userId),
        eq(virtualKeys.connectionProxyId, proxyId),
        eq(virtualKeys.kind, kind),
        isNull(virtualKeys.revokedAt),
      ),
    );
  if (row?.expiresAt != null && row.expiresAt <= Date.now()) {
    // An expired Connection key would make every download useless: retire it, make a new one.
    await revokeKeys(env, [row]);
    return undefined;
  }
  return row;
}

/** Finds the user's Connection key of this kind for the proxy, or makes it. */
async function connectionKey(c: Ctx, owner: User, proxy: LlmProxy, kind: Kind, mayCreate: boolean) {
  const existing = await liveConnectionKey(c.env, owner.id, proxy.id, kind);
  if (existing) return existing;
  if (!mayCreate) {
    throw forbidden(
      "You may not create virtual keys (llmVirtualKey:create). Ask an admin to grant it, or to create your Connection keys on the Virtual Keys page.",
    );
  }
  if (kind === "standard" && !proxy.providerKeyId) {
    throw conflict(
      "This LLM proxy has no provider key yet. An admin must add an Anthropic provider key and attach it to the proxy.",
    );
  }
  const minted = await mintKey(c.env, {
    orgId: proxy.orgId,
    name: KEY_NAMES[kind](owner.email),
    kind,
    ownerUserId: owner.id,
    providerKeyId: proxy.providerKeyId,
    connectionProxyId: proxy.id,
    createdBy: c.get("user").id,
  });
  if (minted) return minted.row;
  // A concurrent request made it first: use theirs.
  const winner = await liveConnectionKey(c.env, owner.id, proxy.id, kind);
  if (!winner) throw new Error("connection key vanished after a unique-index conflict");
  return winner;
}

async function resolveProxy(c: Ctx, proxyId: string | undefined): Promise<LlmProxy> {
  if (proxyId) return findOrgProxy(c, proxyId);
  const [row] = await db(c.env)
    .select()
    .from(llmProxies)
    .where(and(eq(llmProxies.orgId, c.get("user").orgId), eq(llmProxies.isDefault, true)));
  if (!row) {
    throw notFound("There is no LLM proxy yet. An admin must create one on the LLM Proxies page.");
  }
  return row;
}

async function resolveOwner(c: Ctx, userId: string | undefined): Promise<User> {
  const caller = c.get("user");
  const id = userId ?? caller.id;
  if (id !== caller.id && !can(caller, "llmVirtualKey:admin")) {
    throw forbidden("Only admins can set up connections for other people.");
  }
  const [row] = await db(c.env)
    .select()
    .from(users)
    .where(and(eq(users.id, id), eq(users.orgId, caller.orgId)));
  if (!row) throw badRequest("userId: no such user in this organisation.");
  return row;
}

async function connectionPair(c: Ctx, proxyId: string | undefined, userId: string | undefined) {
  const proxy = await resolveProxy(c, proxyId);
  const owner = await resolveOwner(c, userId);
  const caller = c.get("user");
  // Keys for a proxy its owner may not use would only ever be refused there.
  await checkMayUseProxy(
    c.env,
    proxy,
    owner.id,
    owner.id === caller.id ? "You are" : "This user is",
  );
  const mayCreate =
    can(caller, "llmVirtualKey:create") &&
    (owner.id === caller.id || can(caller, "llmVirtualKey:admin"));
  const standard = await connectionKey(c, owner, proxy, "standard", mayCreate);
  const passthrough = await connectionKey(c, owner, proxy, "passthrough", mayCreate);
  return { proxy, owner, standard, passthrough };
}

/** An MCP gateway of the caller's organisation that the caller may use (else 404 or 403). */
async function usableGateway(c: Ctx, id: string): Promise<McpGateway> {
  const gateway = await findOrgGateway(c, id);
  const access = await gatewayAccess(c.env, gateway.id, c.get("user").id);
  if (!access.ok) throw forbidden(access.reason);
  return gateway;
}

const Target = z.object({ proxyId: Id.optional(), userId: Id.optional() });

/** The labels clients other than Claude Desktop put in X-Archestra-Agent-Id. */
const AGENT_IDS = {
  "claude-code": "anthropic_claude_code",
  "anthropic-client": "anthropic_client",
  "claude-desktop": AGENT_ID_CLAUDE_DESKTOP,
} as const;

export const connectionSetupRoutes = [
  route({
    method: "post",
    path: "/connection-setups/keys",
    summary: "Find or create the caller's (or, for admins, a user's) two Connection keys",
    access: "llmProxy:read",
    body: Target,
    async handler(c, { body }) {
      const { proxy, owner, standard, passthrough } = await connectionPair(
        c,
        body.proxyId,
        body.userId,
      );
      return c.json({
        proxyId: proxy.id,
        standardKey: publicKey(standard, owner),
        passthroughKey: publicKey(passthrough, owner),
      });
    },
  }),
  route({
    method: "post",
    path: "/connection-setups/claude-desktop",
    summary: "The caller's Claude Desktop profile (file name, JSON, and a masked preview)",
    access: "llmProxy:read",
    body: z.object({ proxyId: Id.optional(), mcpGatewayId: Id.optional() }),
    async handler(c, { body }) {
      // Checked before any key is made: a refused gateway leaves nothing behind.
      const gateway = body.mcpGatewayId ? await usableGateway(c, body.mcpGatewayId) : undefined;
      const { proxy, standard, passthrough } = await connectionPair(c, body.proxyId, undefined);
      const profile = claudeDesktopProfile({
        origin: publicOrigin(c),
        proxyId: proxy.id,
        standardKey: await revealToken(c.env, standard),
        passthroughKey: await revealToken(c.env, passthrough),
        ...(gateway && { mcpGatewaySlug: gateway.slug }),
      });
      return c.json(
        {
          fileName: profileFileName(),
          contentType: "application/json",
          content: profileJson(profile),
          profile,
          preview: maskedProfile(profile),
          warning:
            "The downloaded file holds your keys in plain text. Import it into Claude Desktop, then delete it; never share it.",
        },
        200,
        { "cache-control": "no-store" },
      );
    },
  }),
  route({
    method: "post",
    path: "/connection-setups/credentials",
    summary:
      "Base URL, key and headers for Claude Code or any Anthropic client, from the caller's two Connection keys",
    access: "llmProxy:read",
    body: z.object({
      proxyId: Id.optional(),
      client: z
        .enum(Object.keys(AGENT_IDS) as [keyof typeof AGENT_IDS])
        .default("anthropic-client"),
    }),
    async handler(c, { body }) {
      const { proxy, standard, passthrough } = await connectionPair(c, body.proxyId, undefined);
      const credentials: ConnectionCredentials = {
        proxyId: proxy.id,
        baseUrl: proxyBaseUrl(publicOrigin(c), proxy.id),
        apiKey: await revealToken(c.env, standard),
        headers: {
          "X-Archestra-Agent-Id": AGENT_IDS[body.client],
          "X-Archestra-Virtual-Key": await revealToken(c.env, passthrough),
        },
      };
      return c.json(credentials, 200, { "cache-control": "no-store" });
    },
  }),
];
