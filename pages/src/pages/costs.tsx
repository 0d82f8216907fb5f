// Placeholder: being built.
import { PageHeader } from "../ui/page";

export function CostsPage() {
  return <PageHeader title="Costs & limits" />;
}
