// Placeholder: the OAuth 2.1 authorization server's public routes (issue 6).
import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const oauthRoutes = new Hono<AppEnv>();
