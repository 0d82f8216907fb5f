// The Claude Desktop configuration profile, exactly as DESIGN.md gives it (the contract with
// Archestra's published integration), and its masked preview.
import { randomBytes, toBase64Url } from "./encoding";

export const AGENT_ID_CLAUDE_DESKTOP = "anthropic_claude_desktop";
export const MASK = "••••••••••••••••••••";

export interface ProfileInput {
  origin: string;
  proxyId: string;
  standardKey: string;
  passthroughKey: string;
  /** The MCP gateway slug; absent for an inference-only profile. */
  mcpGatewaySlug?: string;
}

export interface ClaudeDesktopProfile {
  $schemaVersion: 2;
  inference: {
    provider: "gateway";
    baseUrl: string;
    customHeaders: { "X-Archestra-Agent-Id": string; "X-Archestra-Virtual-Key": string };
    credential: { kind: "static"; apiKey: string };
  };
  mcp?: {
    managedServers: {
      name: string;
      transport: "http";
      url: string;
      oauth: { mode: "dcr" };
      source: "user";
    }[];
  };
}

/** Where an MCP gateway answers (also its OAuth resource): `<origin>/v1/mcp/<slug>`. */
export function mcpGatewayUrl(origin: string, slug: string): string {
  return `${origin}/v1/mcp/${slug}`;
}

/** Claude Desktop's name for a gateway's managed connector. */
export function mcpConnectorName(slug: string): string {
  return `archestra-mcp-${slug}`;
}

export function claudeDesktopProfile(input: ProfileInput): ClaudeDesktopProfile {
  const profile: ClaudeDesktopProfile = {
    $schemaVersion: 2,
    inference: {
      provider: "gateway",
      baseUrl: `${input.origin}/v1/anthropic/${input.proxyId}`,
      customHeaders: {
        "X-Archestra-Agent-Id": AGENT_ID_CLAUDE_DESKTOP,
        "X-Archestra-Virtual-Key": input.passthroughKey,
      },
      credential: { kind: "static", apiKey: input.standardKey },
    },
  };
  if (input.mcpGatewaySlug) {
    const slug = input.mcpGatewaySlug;
    profile.mcp = {
      managedServers: [
        {
          name: mcpConnectorName(slug),
          transport: "http",
          url: mcpGatewayUrl(input.origin, slug),
          oauth: { mode: "dcr" },
          source: "user",
        },
      ],
    };
  }
  return profile;
}

/** The same profile with every secret replaced by the mask; the agent id stays visible. */
export function maskedProfile(profile: ClaudeDesktopProfile): ClaudeDesktopProfile {
  return {
    ...profile,
    inference: {
      ...profile.inference,
      customHeaders: { ...profile.inference.customHeaders, "X-Archestra-Virtual-Key": MASK },
      credential: { kind: "static", apiKey: MASK },
    },
  };
}

/** `archestra_con_<base64url of 24 random bytes>`, no extension. */
export function profileFileName(): string {
  return `archestra_con_${toBase64Url(randomBytes(24))}`;
}

/** Pretty-printed, as the downloaded file holds it. */
export function profileJson(profile: ClaudeDesktopProfile): string {
  return `${JSON.stringify(profile, null, 2)}\n`;
}
