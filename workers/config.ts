// Worker configuration, parsed once per isolate with zod. Env flags are compared as values,
// never read by truthiness.
import { z } from "zod";
import { importEncryptionKey } from "../shared/crypto";

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
  encryptionKey: Promise<CryptoKey>;
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
  const encryptionKey = importEncryptionKey(env.ENCRYPTION_KEY);
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
