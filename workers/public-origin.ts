import type { Context } from "hono";
import type { AppEnv } from "./app-env";
import { config } from "./config";

/** The origin clients reach the gateway at: PUBLIC_ORIGIN if configured, else the request's. */
export function publicOrigin(c: Context<AppEnv>): string {
  return config(c.env).publicOrigin ?? new URL(c.req.url).origin;
}
