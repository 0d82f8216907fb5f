// Worker configuration, parsed once per isolate with zod. Env flags are compared as values,
// never read by truthiness.
import { z } from "zod";
import { importKeyRing, type KeyRing } from "../shared/crypto";
import { GatewayError } from "./errors";

const ConfigSchema = z.object({
  PUBLIC_ORIGIN: z
    .string()
    .trim()
    .transform((v) => v.replace(/\/+$/, ""))
    .pipe(z.union([z.literal(""), z.url()]))
    .default(""),
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("production"),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(600_000),
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  SETUP_TOKEN: z.string().optional(),
});

export interface Config {
  publicOrigin: string | undefined;
  environment: "development" | "test" | "production";
  upstreamTimeoutMs: number;
  maxRequestBytes: number;
  setupToken: string | undefined;
  /** The key ring for secrets at rest: ENCRYPTION_KEY, and ENCRYPTION_KEY_PREVIOUS while rotating. */
  encryptionKey: Promise<KeyRing>;
}

const cache = new WeakMap<object, Config>();

export function config(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid Worker configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const v = parsed.data;
  const encryptionKey = keyRingFrom(env.ENCRYPTION_KEY, previousKeyOf(env));
  // Surface a missing key when it is used, not as an unhandled rejection.
  encryptionKey.catch(() => {});
  const result: Config = {
    publicOrigin: v.PUBLIC_ORIGIN || undefined,
    environment: v.ENVIRONMENT,
    upstreamTimeoutMs: v.UPSTREAM_TIMEOUT_MS,
    maxRequestBytes: v.MAX_REQUEST_BYTES,
    setupToken: v.SETUP_TOKEN || undefined,
    encryptionKey,
  };
  cache.set(env, result);
  return result;
}

/** ENCRYPTION_KEY_PREVIOUS: an optional secret, so not in every generated Env type. */
function previousKeyOf(env: Env): string | undefined {
  const value: unknown = (env as unknown as Record<string, unknown>).ENCRYPTION_KEY_PREVIOUS;
  return typeof value === "string" ? value : undefined;
}

/**
 * The keys for secrets at rest. A Worker deployed without the secret (or with one that is not
 * 32 bytes of base64) still serves everything else; what needs the key is refused with a
 * message naming the missing configuration, never the value or a stack. A malformed
 * ENCRYPTION_KEY_PREVIOUS is refused the same way (a rotation half-configured must not pass).
 */
function keyRingFrom(secret: string | undefined, previous: string | undefined): Promise<KeyRing> {
  return importKeyRing(secret, previous).catch(async () => {
    const currentOk = await importKeyRing(secret).then(
      () => true,
      () => false,
    );
    const name = currentOk ? "ENCRYPTION_KEY_PREVIOUS" : "ENCRYPTION_KEY";
    const value = currentOk ? previous : secret;
    const problem = value?.trim() ? "is not 32 bytes encoded as base64" : "is not set";
    // Once per isolate, for the operator reading the Worker's logs.
    console.error(`Configuration: the ${name} secret ${problem}.`);
    throw new GatewayError(
      500,
      `The gateway's ${name} secret ${problem}, so it cannot store or read secrets. ` +
        "An operator must set it to 32 bytes encoded as base64 " +
        `(wrangler secret put ${name}; for npm start, in .dev.vars).`,
    );
  });
}
