// Cloudflare Access: when an organisation puts the dashboard behind an Access application,
// every request carries Cf-Access-Jwt-Assertion, a JWT signed by the team's keys at
// https://<team domain>/cdn-cgi/access/certs. A valid one names the person by email. The
// header is ignored unless Access is enabled in the settings (anyone can send a header when
// the site is not behind Access); once it is enabled, a bad assertion is a 401, never a pass.
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { decodeJwt } from "jose";
import { ssoSettings } from "../../d1/schema";
import type { AppEnv } from "../app-env";
import { type AuditEntry, audit, auditRow } from "../audit/record";
import { saveAuditRows } from "../audit/store";
import { db } from "../db";
import { GatewayError, unauthorized } from "../errors";
import { type TokenProblem, tokenProblem, verifyWithJwks } from "./jwks";
import { provisionSsoUser, type SignedInUser } from "./provisioning";
import { SsoRefusal } from "./refusal";
import { accessReady, type SsoSettings } from "./settings";
import { accessTeamBase } from "./urls";

export const ACCESS_HEADER = "cf-access-jwt-assertion";

const MESSAGES: Record<Exclude<TokenProblem, "unavailable">, string> = {
  signature: "The Cloudflare Access assertion's signature is not valid.",
  algorithm: "The Cloudflare Access assertion uses a signing algorithm that is not allowed.",
  issuer: "The Cloudflare Access assertion was issued by another team than the configured one.",
  audience: "The Cloudflare Access assertion is for another Access application (audience tag).",
  expired:
    "The Cloudflare Access assertion has expired: reload the page to sign in through Access again.",
  invalid: "The Cloudflare Access assertion is malformed.",
};

export interface VerifiedAccess {
  settings: SsoSettings;
  email: string;
}

function refuse(
  c: Context<AppEnv>,
  status: number,
  message: string,
  detail: string,
  orgId?: string,
) {
  audit(c, {
    action: "auth.access_refused",
    outcome: "denied",
    status,
    detail,
    actor: { via: "access", ...(orgId ? { orgId } : {}) },
  });
  return new GatewayError(status, message);
}

/** The organisation whose Access application the assertion claims to be for. */
function pickSettings(enabled: SsoSettings[], assertion: string) {
  let audiences: string[] = [];
  try {
    const aud = decodeJwt(assertion).aud;
    audiences = Array.isArray(aud) ? aud : aud ? [aud] : [];
  } catch {
    // Malformed: verification below says so.
  }
  return enabled.find((s) => audiences.includes(s.accessAudience ?? "")) ?? enabled[0];
}

/**
 * Null when no organisation has Access enabled. Otherwise the verified email, or a thrown 401
 * (502 when Access's keys cannot be fetched), each with an audit entry.
 */
export async function verifyAccessAssertion(
  c: Context<AppEnv>,
  assertion: string,
): Promise<VerifiedAccess | null> {
  const rows = await db(c.env)
    .select()
    .from(ssoSettings)
    .where(eq(ssoSettings.accessEnabled, true));
  const settings = pickSettings(rows.filter(accessReady), assertion);
  if (!settings || !accessReady(settings)) return null;
  const base = accessTeamBase(settings.accessTeamDomain);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await verifyWithJwks(assertion, `${base}/cdn-cgi/access/certs`, {
      issuer: base,
      audience: settings.accessAudience,
      clockTolerance: 60,
      requiredClaims: ["exp"],
    }));
  } catch (err) {
    const { problem, detail } = tokenProblem(err);
    if (problem === "unavailable") {
      throw refuse(
        c,
        502,
        "Cloudflare Access's signing keys could not be fetched.",
        detail,
        settings.orgId,
      );
    }
    throw refuse(c, 401, MESSAGES[problem], `Access assertion refused: ${detail}`, settings.orgId);
  }
  const email = typeof payload.email === "string" ? payload.email.trim().toLowerCase() : "";
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw refuse(
      c,
      401,
      "The Cloudflare Access assertion names no person (service tokens cannot sign in here).",
      "Access assertion without an email",
      settings.orgId,
    );
  }
  return { settings, email };
}

/**
 * A sign-in is an event of its own, even on the first request of a change: written as its own
 * entry rather than through audit(), which would rename that change's entry.
 */
function recordSignIn(c: Context<AppEnv>, entry: AuditEntry) {
  const row = auditRow(c, { ...entry, at: Date.now(), method: c.req.method, path: c.req.path });
  c.executionCtx.waitUntil(saveAuditRows(c.env, [row]));
}

/** The account for a verified Access identity, provisioned on first visit. */
export async function accessUser(c: Context<AppEnv>, v: VerifiedAccess): Promise<SignedInUser> {
  try {
    const user = await provisionSsoUser(c.env, v.settings, {
      orgId: v.settings.orgId,
      email: v.email,
      name: v.email.split("@")[0] ?? v.email,
      subject: null,
      origin: "access",
      claimValues: null,
    });
    recordSignIn(c, {
      action: "auth.access_sign_in",
      outcome: "success",
      status: 200,
      detail: user.created ? "account provisioned on first visit" : "session started",
      actor: { via: "access", userId: user.userId, email: user.email, orgId: v.settings.orgId },
    });
    return user;
  } catch (err) {
    if (!(err instanceof SsoRefusal)) throw err;
    audit(c, {
      action: "auth.access_refused",
      outcome: "denied",
      status: 401,
      detail: err.detail,
      actor: { via: "access", email: v.email, orgId: v.settings.orgId, ...err.actor },
    });
    throw unauthorized(
      err.code === "account_deactivated"
        ? "This account is deactivated. Ask an admin of your organisation."
        : "This Cloudflare Access identity cannot sign in here: the email belongs to another account.",
    );
  }
}
