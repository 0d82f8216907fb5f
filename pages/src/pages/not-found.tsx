import { PageHeader } from "../ui/page";
import { Empty } from "../ui/states";

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Empty
        title="There is no page at this address."
        action={
          <a class="button secondary" href="/connect">
            Go to Connect
          </a>
        }
      />
    </>
  );
}
