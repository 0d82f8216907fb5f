// Teams: create, rename, delete, members; which teams may use a proxy (being built)
import type { ApiRoute } from "./route";

export const teamRoutes: ApiRoute[] = [];
