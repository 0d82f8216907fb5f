/**
 * A loopback OpenID Connect provider that signs real JWTs with jose, and a Cloudflare Access
 * team beside it. Each test picks its own OIDC tenant, `/t/<tenant>`, whose URL is the issuer,
 * so test files running at once never share configuration or caches.
 *
 * Per tenant:
 * - `PUT  /_fake/config`            the client, the user the authorize step auto-approves, and a
 *                                   fault for the ID tokens it issues (see `Fault`)
 * - `GET  /_fake/log`               what the token endpoint was sent (auth method, outcome)
 * - `GET  /.well-known/openid-configuration`, `GET /jwks`, `GET /authorize`, `POST /token`
 * At the root, the Access team (its base URL is the fake's URL):
 * - `GET  /cdn-cgi/access/certs`    the team's signing keys
 * - `POST /_fake/access/sign`       {payload, key?: "good"|"rogue"} → {token}: an assertion
 *
 * It refuses what a real provider refuses: unknown clients, redirect URIs that were not
 * registered, a missing or wrong PKCE verifier, a reused code, bad client authentication.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from "jose";

export type Fault =
  | "bad-signature"
  | "wrong-audience"
  | "wrong-issuer"
  | "alg-none"
  | "hs256"
  | "expired"
  | "wrong-nonce"
  | "missing-email"
  | "email-unverified"
  | "multi-audience";

export interface TenantConfig {
  clientId: string;
  /** Null: a public client (PKCE only). */
  clientSecret: string | null;
  redirectUri: string;
  /** Claims of the user the authorize step signs in (sub, email, name, groups, …). */
  user: Record<string, unknown>;
  fault?: Fault | null;
  /** The authorize step answers error=access_denied instead of a code. */
  deny?: boolean;
  /** Advertised client authentication methods; default both basic and post. */
  tokenAuthMethods?: string[];
  /** Breaks the discovery document: another issuer, or no PKCE S256. */
  discovery?: "ok" | "wrong-issuer" | "no-s256";
}

export interface TokenLogEntry {
  auth: "basic" | "post" | "none";
  outcome: "issued" | string;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  expires: number;
}

interface Tenant {
  config: TenantConfig;
  codes: Map<string, PendingCode>;
  log: TokenLogEntry[];
}

interface Keys {
  good: CryptoKey;
  rogue: CryptoKey;
  access: CryptoKey;
  accessRogue: CryptoKey;
  jwks: { keys: JWK[] };
  accessJwks: { keys: JWK[] };
}

export interface FakeOidc {
  /** `http://127.0.0.1:<port>`; a tenant's issuer is `${url}/t/<tenant>`. */
  url: string;
  close(): Promise<void>;
}

const OIDC_KID = "fake-oidc-rs256";
const ACCESS_KID = "fake-access-rs256";

async function rsaKeyPair(kid: string) {
  const pair = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: "RS256", use: "sig" };
  return { privateKey: pair.privateKey, jwk };
}

async function makeKeys(): Promise<Keys> {
  const [good, rogue, access, accessRogue] = await Promise.all([
    rsaKeyPair(OIDC_KID),
    rsaKeyPair(OIDC_KID),
    rsaKeyPair(ACCESS_KID),
    rsaKeyPair(ACCESS_KID),
  ]);
  return {
    good: good.privateKey,
    rogue: rogue.privateKey,
    access: access.privateKey,
    accessRogue: accessRogue.privateKey,
    jwks: { keys: [good.jwk] },
    accessJwks: { keys: [access.jwk] },
  };
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");
const nowS = () => Math.floor(Date.now() / 1000);

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function idToken(keys: Keys, issuer: string, t: TenantConfig, nonce: string) {
  const fault = t.fault ?? null;
  const claims: JWTPayload & Record<string, unknown> = {
    iss: fault === "wrong-issuer" ? `${issuer}-impostor` : issuer,
    aud:
      fault === "wrong-audience"
        ? "some-other-client"
        : fault === "multi-audience"
          ? [t.clientId, "some-other-client"]
          : t.clientId,
    iat: fault === "expired" ? nowS() - 3600 : nowS(),
    exp: fault === "expired" ? nowS() - 1800 : nowS() + 300,
    nonce: fault === "wrong-nonce" ? "a-nonce-from-another-sign-in" : nonce,
    email_verified: fault !== "email-unverified",
    ...t.user,
  };
  if (fault === "missing-email") delete claims.email;
  if (fault === "email-unverified") claims.email_verified = false;
  if (fault === "alg-none") return new UnsecuredJWT(claims).encode();
  if (fault === "hs256") {
    const secret = new TextEncoder().encode(t.clientSecret ?? "public-client-has-no-secret");
    return new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: OIDC_KID }).sign(secret);
  }
  // Same kid as the published key, so the verifier finds "its" key and the signature fails.
  const key = fault === "bad-signature" ? keys.rogue : keys.good;
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: OIDC_KID }).sign(key);
}

function discoveryDocument(issuer: string, t: TenantConfig) {
  return {
    issuer: t.discovery === "wrong-issuer" ? `${issuer}-impostor` : issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    code_challenge_methods_supported: t.discovery === "no-s256" ? ["plain"] : ["S256"],
    token_endpoint_auth_methods_supported: t.tokenAuthMethods ?? [
      "client_secret_basic",
      "client_secret_post",
    ],
    scopes_supported: ["openid", "email", "profile", "groups"],
  };
}

function authorize(res: ServerResponse, tenant: Tenant, q: URLSearchParams) {
  const t = tenant.config;
  const problems = [
    q.get("response_type") !== "code" && "response_type must be code",
    q.get("client_id") !== t.clientId && "unknown client_id",
    q.get("redirect_uri") !== t.redirectUri && "redirect_uri not registered",
    q.get("code_challenge_method") !== "S256" && "PKCE S256 required",
    !q.get("code_challenge") && "code_challenge missing",
    !q.get("state") && "state missing",
    !q.get("nonce") && "nonce missing",
    !(q.get("scope") ?? "").split(" ").includes("openid") && "scope must include openid",
  ].filter(Boolean);
  if (problems.length > 0) return send(res, 400, { error: "invalid_request", problems });
  const back = new URL(t.redirectUri);
  back.searchParams.set("state", q.get("state") ?? "");
  if (t.deny) {
    back.searchParams.set("error", "access_denied");
  } else {
    const code = randomBytes(24).toString("base64url");
    tenant.codes.set(code, {
      clientId: t.clientId,
      redirectUri: t.redirectUri,
      challenge: q.get("code_challenge") ?? "",
      nonce: q.get("nonce") ?? "",
      expires: Date.now() + 60_000,
    });
    back.searchParams.set("code", code);
  }
  res.writeHead(302, { location: back.toString() });
  res.end();
}

/** Which client authentication was used, and whether it holds. */
function clientAuth(req: IncomingMessage, form: URLSearchParams, t: TenantConfig) {
  const header = req.headers.authorization ?? "";
  if (header.startsWith("Basic ")) {
    const [id, secret] = Buffer.from(header.slice(6), "base64")
      .toString("utf8")
      .split(":")
      .map((p) => decodeURIComponent(p.replace(/\+/g, " ")));
    return { auth: "basic" as const, ok: id === t.clientId && secret === t.clientSecret };
  }
  if (form.has("client_secret")) {
    const ok = form.get("client_id") === t.clientId && form.get("client_secret") === t.clientSecret;
    return { auth: "post" as const, ok };
  }
  return {
    auth: "none" as const,
    ok: t.clientSecret === null && form.get("client_id") === t.clientId,
  };
}

async function token(
  req: IncomingMessage,
  res: ServerResponse,
  tenant: Tenant,
  issuer: string,
  keys: Keys,
) {
  const t = tenant.config;
  const form = new URLSearchParams(await readBody(req));
  const { auth, ok } = clientAuth(req, form, t);
  const refuse = (status: number, error: string) => {
    tenant.log.push({ auth, outcome: error });
    send(res, status, { error });
  };
  if (!ok) return refuse(401, "invalid_client");
  if (form.get("grant_type") !== "authorization_code") return refuse(400, "unsupported_grant_type");
  const code = form.get("code") ?? "";
  const pending = tenant.codes.get(code);
  tenant.codes.delete(code);
  if (!pending || pending.expires < Date.now()) return refuse(400, "invalid_grant");
  if (form.get("redirect_uri") !== pending.redirectUri) return refuse(400, "invalid_grant");
  if (s256(form.get("code_verifier") ?? "") !== pending.challenge)
    return refuse(400, "invalid_grant");
  tenant.log.push({ auth, outcome: "issued" });
  send(res, 200, {
    access_token: randomBytes(24).toString("base64url"),
    token_type: "Bearer",
    expires_in: 300,
    id_token: await idToken(keys, issuer, t, pending.nonce),
  });
}

async function signAccess(req: IncomingMessage, res: ServerResponse, keys: Keys) {
  const { payload, key } = JSON.parse(await readBody(req)) as {
    payload: JWTPayload;
    key?: "good" | "rogue";
  };
  const signing = key === "rogue" ? keys.accessRogue : keys.access;
  const jwt = await new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", kid: ACCESS_KID })
    .sign(signing);
  send(res, 200, { token: jwt });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  base: string,
  tenants: Map<string, Tenant>,
  keys: Keys,
) {
  const url = new URL(req.url ?? "/", base);
  // The Access team lives at the root: a team domain is a bare origin, as on Cloudflare.
  if (`${req.method} ${url.pathname}` === "GET /cdn-cgi/access/certs") {
    return send(res, 200, keys.accessJwks);
  }
  if (`${req.method} ${url.pathname}` === "POST /_fake/access/sign")
    return signAccess(req, res, keys);
  const match = /^\/t\/([\w-]{1,64})(\/.*)$/.exec(url.pathname);
  if (!match) return send(res, 404, { error: "not_found" });
  const [, name = "", path] = match;
  const issuer = `${base}/t/${name}`;
  const route = `${req.method} ${path}`;
  if (route === "PUT /_fake/config") {
    const config = JSON.parse(await readBody(req)) as TenantConfig;
    tenants.set(name, { config, codes: new Map(), log: [] });
    return send(res, 200, { issuer });
  }
  const tenant = tenants.get(name);
  if (!tenant) return send(res, 404, { error: "unknown tenant" });
  switch (route) {
    case "GET /_fake/log":
      return send(res, 200, tenant.log);
    case "GET /.well-known/openid-configuration":
      return send(res, 200, discoveryDocument(issuer, tenant.config));
    case "GET /jwks":
      return send(res, 200, keys.jwks);
    case "GET /authorize":
      return authorize(res, tenant, url.searchParams);
    case "POST /token":
      return token(req, res, tenant, issuer, keys);
    default:
      return send(res, 404, { error: "not_found" });
  }
}

export async function startFakeOidc(): Promise<FakeOidc> {
  const keys = await makeKeys();
  const tenants = new Map<string, Tenant>();
  const sockets = new Set<Socket>();
  let base = "";
  const server = createServer((req, res) => {
    handle(req, res, base, tenants, keys).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: "fake_failure", message: String(error) });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
