// Minting a virtual key: the form, then the token, shown this once.
import { useState } from "preact/hooks";
import type {
  KeyKind,
  ListOf,
  MemberView,
  MintedKey,
  ProviderKeyView,
} from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions, fieldError, TokenDisplay } from "../../ui/modal";
import { Notice } from "../../ui/states";

/** The chosen day's last second, local time: a key "expiring on" a day works through it. */
function endOfDay(value: string): number | undefined {
  const [y, m, d] = value.split("-").map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d, 23, 59, 59).getTime();
}

function tomorrow(): string {
  const t = new Date(Date.now() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

function ProviderKeySelect(props: { error?: string }) {
  const { can } = useSession();
  const keys = useResource(() =>
    can("providerKey:read")
      ? api.get<ListOf<ProviderKeyView>>("/provider-keys")
      : Promise.resolve(null),
  );
  if (keys.state === "loading") return <p class="muted">Loading provider keys…</p>;
  if (keys.state === "error") return <Notice tone="error">{keys.message}</Notice>;
  if (keys.data === null)
    return (
      <Notice tone="info">
        A standard key stands in for one of the organisation's provider keys, and your role may not
        list them. Create a passthrough key instead, or ask an admin. To connect Claude Desktop, use
        the <a href="/connect">Connect</a> page: it makes the keys you need.
      </Notice>
    );
  if (keys.data.data.length === 0)
    return (
      <Notice tone="warning">
        There are no provider keys yet.{" "}
        {can("providerKey:create") ? (
          <a href="/provider-keys">Add a provider key</a>
        ) : (
          "Ask an admin to add one"
        )}{" "}
        before creating a standard key.
      </Notice>
    );
  return (
    <Field
      label="Provider key"
      name="providerKeyId"
      hint="Requests with this key are sent upstream with this provider key."
      error={props.error}
    >
      <select id="field-providerKeyId" name="providerKeyId" required>
        {keys.data.data.map((k) => (
          <option key={k.id} value={k.id}>
            {k.name} (••••{k.secretLast4})
          </option>
        ))}
      </select>
    </Field>
  );
}

export function CreateKeyForm(props: {
  members: MemberView[] | null;
  onCreated: () => void;
  onClose: () => void;
}) {
  const { user, can } = useSession();
  const form = useFormState();
  const [kind, setKind] = useState<KeyKind>("passthrough");
  const [minted, setMinted] = useState<MintedKey | null>(null);

  if (minted) {
    const own = minted.ownerUserId === user.id;
    return (
      <div class="stack">
        <Notice tone="success">
          Key <strong>{minted.name}</strong> created
          {own ? "" : ` for ${minted.ownerName ?? minted.ownerEmail ?? "its owner"}`}.
        </Notice>
        <TokenDisplay token={minted.token} label="Virtual key" />
        <Notice tone="warning">
          Copy it now: it will not be shown again here.{" "}
          {own
            ? "You can reveal it later from this page."
            : "Only its owner can reveal it later, from their Virtual keys page."}
        </Notice>
        <div class="dialog-actions">
          <button type="button" class="button primary" onClick={props.onClose}>
            Done
          </button>
        </div>
      </div>
    );
  }

  const submit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      const key = await api.post<MintedKey>("/virtual-keys", {
        name: v.name,
        kind,
        ...(kind === "standard" && v.providerKeyId ? { providerKeyId: v.providerKeyId } : {}),
        ...(v.expiresAt ? { expiresAt: endOfDay(v.expiresAt) } : {}),
        ...(v.ownerUserId && v.ownerUserId !== user.id ? { ownerUserId: v.ownerUserId } : {}),
      });
      setMinted(key);
      props.onCreated();
    });
  };

  return (
    <form onSubmit={submit}>
      <Field
        label="Name"
        name="name"
        required
        maxLength={120}
        placeholder="e.g. Build server"
        error={form.fields.name}
      />
      <Field
        label="Kind"
        name="kind"
        error={form.fields.kind}
        hint={
          kind === "standard"
            ? "Used as the API key: the gateway swaps it for a real provider key."
            : "Says whose request it is (X-Archestra-Virtual-Key) beside a client's own provider credential."
        }
      >
        <select
          id="field-kind"
          name="kind"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as KeyKind)}
        >
          <option value="passthrough">Passthrough</option>
          <option value="standard">Standard</option>
        </select>
      </Field>
      {kind === "standard" ? (
        <ProviderKeySelect error={fieldError(form.fields, "providerKeyId")} />
      ) : null}
      {props.members ? (
        <Field label="Key owner" name="ownerUserId" error={form.fields.ownerUserId}>
          <select id="field-ownerUserId" name="ownerUserId">
            {props.members.map((m) => (
              <option key={m.id} value={m.id} selected={m.id === user.id}>
                {m.name} ({m.email})
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      <Field
        label="Expires on (optional)"
        name="expiresAt"
        type="date"
        min={tomorrow()}
        hint="Leave empty for a key that does not expire. It stops working at the end of that day."
        error={form.fields.expiresAt}
      />
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel="Create key"
        busyLabel="Creating…"
        onCancel={props.onClose}
        disabled={kind === "standard" && !can("providerKey:read")}
      />
    </form>
  );
}
