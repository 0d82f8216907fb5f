// Placeholder: being built.
import { PageHeader } from "../ui/page";

export function ProviderKeysPage() {
  return <PageHeader title="Provider keys" />;
}
