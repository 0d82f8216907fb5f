// /api/telemetry/exporter: the organisation's OTLP exporter. (Filled by issue 15.)
import type { ApiRoute } from "./route";

export const exporterRoutes: readonly ApiRoute[] = [];
