// How audit entries read: resource types by name, the actor, the outcome's badge colour.
import type { AuditEntryView } from "../../../../shared/api-types";

/** The resource types the API records (the first segment of an /api path, singular). */
export const RESOURCE_TYPES: Record<string, string> = {
  auth: "Sign-in",
  connectionSetup: "Connection setup",
  invitation: "Invitation",
  limit: "Limit",
  llmProxy: "LLM proxy",
  modelPrice: "Model price",
  organisation: "Organisation",
  passwordReset: "Password reset",
  providerKey: "Provider key",
  role: "Role",
  session: "Session",
  setup: "First-run setup",
  sso: "Single sign-on",
  team: "Team",
  telemetryDeadLetter: "Telemetry dead letter",
  token: "API token",
  user: "Member",
  virtualKey: "Virtual key",
};

export const resourceLabel = (type: string) => RESOURCE_TYPES[type] ?? type;

export const OUTCOME_TONE = { success: "good", denied: "warn", error: "bad" } as const;

/** Who did it: their email, else "system" or "anonymous" (a refused sign-in, a bad link…). */
export function actorName(actor: AuditEntryView["actor"]): { name: string; known: boolean } {
  if (actor.email) return { name: actor.email, known: true };
  if (actor.userId) return { name: actor.userId, known: true };
  return { name: actor.via === "system" ? "system" : "anonymous", known: false };
}

const VIA: Record<string, string> = {
  session: "dashboard",
  token: "API token",
  password: "password sign-in",
  oidc: "SSO (OIDC)",
  access: "Cloudflare Access",
  invitation: "invitation link",
  setup: "first-run setup",
  anonymous: "no sign-in",
};

export const viaLabel = (via: string) => VIA[via] ?? via;
