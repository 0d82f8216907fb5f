// The owner fetches their own key's token again.
import type { VirtualKeyView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useResource } from "../../lib/use-resource";
import { TokenDisplay } from "../../ui/modal";
import { ErrorState, Loading, Notice } from "../../ui/states";

export function RevealKey(props: { vkey: VirtualKeyView; onClose: () => void }) {
  const token = useResource(
    () => api.post<{ id: string; token: string }>(`/virtual-keys/${props.vkey.id}/reveal`),
    [props.vkey.id],
  );
  return (
    <div class="stack">
      {token.state === "loading" ? <Loading label="Fetching the key…" /> : null}
      {token.state === "error" ? (
        <ErrorState message={token.message} onRetry={token.reload} />
      ) : null}
      {token.state === "ready" ? (
        <>
          <TokenDisplay token={token.data.token} label={props.vkey.name} />
          <Notice tone="warning">
            Treat it like a password: anyone holding it can send requests as you.
          </Notice>
        </>
      ) : null}
      <div class="dialog-actions">
        <button type="button" class="button primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
