// Placeholder: being built.
import { PageHeader } from "../ui/page";

export function SettingsPage() {
  return <PageHeader title="Organisation settings" />;
}
