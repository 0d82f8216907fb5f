// Adding a provider key, and editing one: rename, change the base URL, or rotate the secret.
import { useState } from "preact/hooks";
import type { ProviderKeyView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions } from "../../ui/modal";
import { Notice } from "../../ui/states";

const BASE_URL_HINT =
  "Optional. Leave empty to use Anthropic's own API (https://api.anthropic.com); set it for a regional endpoint or a corporate relay.";

export function AddKeyForm(props: {
  onSaved: (key: ProviderKeyView) => void;
  onClose: () => void;
}) {
  const form = useFormState();
  const submit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      const key = await api.post<ProviderKeyView>("/provider-keys", {
        name: v.name,
        provider: "anthropic",
        secret: v.secret,
        ...(v.baseUrl?.trim() ? { baseUrl: v.baseUrl.trim() } : {}),
      });
      props.onSaved(key);
    });
  };
  return (
    <form onSubmit={submit}>
      <Field
        label="Name"
        name="name"
        required
        maxLength={120}
        placeholder="e.g. Anthropic production"
        error={form.fields.name}
      />
      <Field label="Provider" name="provider">
        <select id="field-provider" name="provider" disabled>
          <option value="anthropic">Anthropic</option>
        </select>
      </Field>
      <Field
        label="Secret"
        name="secret"
        type="password"
        required
        minLength={8}
        autocomplete="off"
        spellcheck={false}
        placeholder="sk-ant-…"
        hint="The Anthropic API key. It is encrypted at rest and never shown again; only its last four characters are."
        error={form.fields.secret}
      />
      <Field
        label="Base URL"
        name="baseUrl"
        type="url"
        placeholder="https://api.anthropic.com"
        hint={BASE_URL_HINT}
        error={form.fields.baseUrl}
      />
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel="Add provider key"
        busyLabel="Adding…"
        onCancel={props.onClose}
      />
    </form>
  );
}

export function EditKeyForm(props: {
  pk: ProviderKeyView;
  onSaved: (key: ProviderKeyView) => void;
  onClose: () => void;
}) {
  const form = useFormState();
  const [rotate, setRotate] = useState(false);
  const current = props.pk;
  const submit = (event: Event) => {
    const v = formValues(event);
    const baseUrl = v.baseUrl?.trim() || null;
    const body = {
      ...(v.name !== current.name ? { name: v.name } : {}),
      ...(baseUrl !== current.baseUrl ? { baseUrl } : {}),
      ...(rotate ? { secret: v.secret } : {}),
    };
    void form.submit(async () => {
      const key = await api.patch<ProviderKeyView>(`/provider-keys/${current.id}`, body);
      props.onSaved(key);
    });
  };
  return (
    <form onSubmit={submit}>
      <Field
        label="Name"
        name="name"
        required
        maxLength={120}
        defaultValue={current.name}
        error={form.fields.name}
      />
      <Field
        label="Base URL"
        name="baseUrl"
        type="url"
        placeholder="https://api.anthropic.com"
        defaultValue={current.baseUrl ?? ""}
        hint={BASE_URL_HINT}
        error={form.fields.baseUrl}
      />
      <div class="field-group">
        <label class="checkbox">
          <input
            type="checkbox"
            checked={rotate}
            onChange={(e) => setRotate(e.currentTarget.checked)}
          />
          <span>Rotate secret</span>
        </label>
        <p class="hint">
          Replace the secret (now ending in <code>{current.secretLast4}</code>) in place: proxies
          and virtual keys using this key switch to the new one at once.
        </p>
      </div>
      {rotate ? (
        <Field
          label="New secret"
          name="secret"
          type="password"
          required
          minLength={8}
          autocomplete="off"
          spellcheck={false}
          placeholder="sk-ant-…"
          hint="Encrypted at rest and never shown again."
          error={form.fields.secret}
        />
      ) : null}
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions busy={form.busy} submitLabel="Save changes" onCancel={props.onClose} />
    </form>
  );
}
