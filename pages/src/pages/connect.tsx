// Placeholder: being built.
import { PageHeader } from "../ui/page";

export function ConnectPage() {
  return <PageHeader title="Connect" />;
}
