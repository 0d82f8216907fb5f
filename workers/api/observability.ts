// /api/observability: request metrics over time and a request's trace. (Filled by issue 15.)
import type { ApiRoute } from "./route";

export const observabilityRoutes: readonly ApiRoute[] = [];
