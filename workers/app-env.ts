import type { SessionUser } from "./api/auth/session";

/** Hono's type parameters for every app and sub-app of the Worker. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    user: SessionUser;
  };
}
