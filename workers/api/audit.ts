// The audit log (being built)
import type { ApiRoute } from "./route";

export const auditRoutes: ApiRoute[] = [];
