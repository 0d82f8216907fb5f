// Placeholder: being built.
import { PageHeader } from "../ui/page";

export function TeamsPage() {
  return <PageHeader title="Teams" />;
}
