// The Observability page: requests over time, latency percentiles, errors. (Filled by issue 15.)
import { PageHeader } from "../../ui/page";

export function ObservabilityPage() {
  return <PageHeader title="Observability" />;
}
