// Creating or editing an LLM proxy: its name, provider key, model allow-list and switches.
import type { LlmProxyView, ProviderKeyView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions, fieldError } from "../../ui/modal";
import { Notice } from "../../ui/states";

/** "a, b\nc" → ["a","b","c"]; empty → null (every model). */
export function parseModels(text: string): string[] | null {
  const models = [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((m) => m.trim())
        .filter(Boolean),
    ),
  ];
  return models.length ? models : null;
}

export function ProxyForm(props: {
  proxy: LlmProxyView | null;
  /** null: the caller may not list provider keys, so the form leaves the key alone. */
  providerKeys: ProviderKeyView[] | null;
  onSaved: (proxy: LlmProxyView) => void;
  onClose: () => void;
}) {
  const form = useFormState();
  const current = props.proxy;
  const keys = props.providerKeys;

  const submit = (event: Event) => {
    const form_ = event.currentTarget as HTMLFormElement;
    const v = formValues(event);
    const checked = (name: string) =>
      (form_.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;
    const body = {
      name: v.name,
      ...(keys ? { providerKeyId: v.providerKeyId || null } : {}),
      allowedModels: parseModels(v.allowedModels ?? ""),
      // A default proxy stays default until another one takes over (the API refuses "false").
      ...(current?.isDefault ? {} : { isDefault: checked("isDefault") }),
      allowAnonymous: checked("allowAnonymous"),
    };
    void form.submit(async () => {
      const saved = current
        ? await api.patch<LlmProxyView>(`/llm-proxies/${current.id}`, body)
        : await api.post<LlmProxyView>("/llm-proxies", body);
      props.onSaved(saved);
    });
  };

  return (
    <form onSubmit={submit}>
      <Field
        label="Name"
        name="name"
        required
        maxLength={120}
        placeholder="e.g. Claude for everyone"
        defaultValue={current?.name ?? ""}
        error={form.fields.name}
      />
      {keys ? (
        <Field
          label="Provider key"
          name="providerKeyId"
          error={fieldError(form.fields, "providerKeyId")}
          hint="Standard virtual keys on this proxy are swapped for this key upstream. Without one, only passthrough traffic (clients with their own provider credential) works."
        >
          <select id="field-providerKeyId" name="providerKeyId">
            <option value="" selected={!current?.providerKeyId && keys.length === 0}>
              No provider key
            </option>
            {keys.map((k, i) => (
              <option
                key={k.id}
                value={k.id}
                selected={current ? current.providerKeyId === k.id : i === 0}
              >
                {k.name} (••••{k.secretLast4})
              </option>
            ))}
          </select>
        </Field>
      ) : (
        <Notice tone="info">
          Your role may not list provider keys, so this form leaves the proxy's provider key as it
          is. An admin attaches one.
        </Notice>
      )}
      <Field
        label="Allowed models"
        name="allowedModels"
        error={fieldError(form.fields, "allowedModels")}
        hint="One per line or separated by commas, e.g. claude-sonnet-4-5. Leave empty to allow all models."
      >
        <textarea
          id="field-allowedModels"
          name="allowedModels"
          rows={3}
          aria-describedby="field-allowedModels-hint"
          defaultValue={current?.allowedModels?.join("\n") ?? ""}
        />
      </Field>
      <div class="field-group">
        <label class="checkbox">
          <input
            type="checkbox"
            name="isDefault"
            defaultChecked={current?.isDefault ?? false}
            disabled={current?.isDefault}
            aria-describedby="hint-isDefault"
          />
          <span>Default proxy</span>
        </label>
        <p class="hint" id="hint-isDefault">
          {current?.isDefault
            ? "This is the default. To change that, make another proxy the default."
            : "Clients that name no proxy (/v1/anthropic/v1/messages) use the default. An organisation's first proxy is the default."}
        </p>
        {form.fields.isDefault ? <p class="field-error">{form.fields.isDefault}</p> : null}
      </div>
      <div class="field-group">
        <label class="checkbox">
          <input
            type="checkbox"
            name="allowAnonymous"
            defaultChecked={current?.allowAnonymous ?? false}
            aria-describedby="hint-allowAnonymous"
          />
          <span>Allow anonymous traffic</span>
        </label>
        <p class="hint" id="hint-allowAnonymous">
          Accept requests that carry a client's own provider credential (for example a Claude
          subscription) but no passthrough key to say whose they are. Such requests are not
          attributed to anyone, so per-person limits and costs do not apply. Leave off unless you
          need it.
        </p>
      </div>
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel={current ? "Save changes" : "Create proxy"}
        onCancel={props.onClose}
      />
    </form>
  );
}
