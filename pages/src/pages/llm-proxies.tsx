// Placeholder: being built.
import { PageHeader } from "../ui/page";

export function LlmProxiesPage() {
  return <PageHeader title="LLM proxies" />;
}
