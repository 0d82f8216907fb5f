// Placeholder: being built.
import { PageHeader } from "../ui/page";

export function VirtualKeysPage() {
  return <PageHeader title="Virtual keys" />;
}
