// An admin makes a member's two Connection keys, so that member's Connect page download works
// even when they may not create keys themselves.
import type {
  ConnectionKeys,
  ListOf,
  LlmProxyView,
  MemberView,
} from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useResource } from "../../lib/use-resource";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions } from "../../ui/modal";
import { ErrorState, Loading, Notice } from "../../ui/states";

export interface ConnectionResult {
  member: MemberView;
  proxy: LlmProxyView;
  /** The pair already existed and was kept. */
  reused: boolean;
}

export function ConnectionKeysForm(props: {
  members: MemberView[];
  onDone: (result: ConnectionResult) => void;
  onClose: () => void;
}) {
  const proxies = useResource(() => api.get<ListOf<LlmProxyView>>("/llm-proxies"));
  const form = useFormState();

  if (proxies.state === "loading") return <Loading label="Loading LLM proxies…" />;
  if (proxies.state === "error")
    return <ErrorState message={proxies.message} onRetry={proxies.reload} />;
  const list = proxies.data.data;
  if (list.length === 0)
    return (
      <div class="stack">
        <Notice tone="warning">
          There is no LLM proxy yet. <a href="/llm-proxies">Create an LLM proxy</a> first, then come
          back to create Connection keys.
        </Notice>
        <div class="dialog-actions">
          <button type="button" class="button secondary" onClick={props.onClose}>
            Close
          </button>
        </div>
      </div>
    );
  const fallback = list.find((p) => p.isDefault) ?? list[0];

  const submit = (event: Event) => {
    const v = formValues(event);
    const started = Date.now();
    void form.submit(async () => {
      const keys = await api.post<ConnectionKeys>("/connection-setups/keys", {
        userId: v.userId,
        proxyId: v.proxyId,
      });
      const member = props.members.find((m) => m.id === v.userId);
      const proxy = list.find((p) => p.id === keys.proxyId) ?? fallback;
      if (!member || !proxy) return;
      // Both keys older than this request: the member already had them.
      const reused =
        keys.standardKey.createdAt < started - 5_000 &&
        keys.passthroughKey.createdAt < started - 5_000;
      props.onDone({ member, proxy, reused });
    });
  };

  return (
    <form onSubmit={submit}>
      <p class="muted">
        Makes the member's two Connection keys for the proxy, a standard key ("Connection setup")
        and a passthrough key ("Connection passthrough"), or keeps the ones they already have. Their
        Claude Desktop download on the Connect page then uses these keys, even if their role may not
        create keys.
      </p>
      <Field label="Member" name="userId" error={form.fields.userId}>
        <select id="field-userId" name="userId" required>
          {props.members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} ({m.email})
            </option>
          ))}
        </select>
      </Field>
      <Field label="LLM proxy" name="proxyId" error={form.fields.proxyId}>
        <select id="field-proxyId" name="proxyId" required>
          {list.map((p) => (
            <option key={p.id} value={p.id} selected={p.id === fallback?.id}>
              {p.name}
              {p.isDefault ? " (default)" : ""}
            </option>
          ))}
        </select>
      </Field>
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel="Create Connection keys"
        busyLabel="Creating…"
        onCancel={props.onClose}
      />
    </form>
  );
}
