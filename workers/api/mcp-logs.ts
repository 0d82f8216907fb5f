// Placeholder: being written (issue 6).
import type { ApiRoute } from "./route";

export const mcpLogRoutes: ApiRoute[] = [];
