// The Observability page (log:read): /observability shows requests and tool calls over time for
// the range and filters in the URL; /observability/requests/:id shows one request's trace.
import "./observability.css";
import { useRoute } from "preact-iso";
import { useSession } from "../../lib/session";
import { NoAccess } from "../../ui/modal";
import { ObservabilityOverview } from "./overview";
import { RequestPage } from "./request-page";
import { queryOf, viewOf } from "./view-query";

export function ObservabilityPage() {
  const { can } = useSession();
  const { params, query } = useRoute();
  if (!can("log:read")) return <NoAccess title="Observability" permission="log:read" />;
  const id = params.id;
  if (id) return <RequestPage key={id} id={id} search={queryOf(viewOf(query))} />;
  return <ObservabilityOverview />;
}
