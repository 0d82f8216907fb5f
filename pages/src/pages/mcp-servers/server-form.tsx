// Adding or editing an upstream MCP server: its name (the tools' prefix), URL, credential and
// timeout. Saving runs a connection test; the page shows its outcome.
import { useState } from "preact/hooks";
import type { McpServerSaved, McpServerView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions, fieldError } from "../../ui/modal";
import { Notice } from "../../ui/states";
import { AUTH_KINDS, type AuthKind, authToSend } from "./server-auth";

const NAME_PATTERN = "[a-z0-9](?:[a-z0-9\\-]{0,30}[a-z0-9])?";

function AuthFields(props: {
  kind: AuthKind;
  current: McpServerView | null;
  error: string | undefined;
}) {
  const stored = props.current?.auth;
  if (props.kind === "bearer")
    return (
      <Field
        label="Token"
        name="token"
        type="password"
        autoComplete="off"
        spellcheck={false}
        maxLength={4096}
        hint={
          stored?.kind === "bearer"
            ? `Leave empty to keep the current token (ending ••••${stored.last4}).`
            : "Sent as Authorization: Bearer <token>. Stored encrypted; never shown again."
        }
        error={props.error}
      />
    );
  if (props.kind === "headers")
    return (
      <Field
        label="Headers"
        name="headers"
        hint={
          stored?.kind === "headers"
            ? `One per line, as Name: value. Leave empty to keep the current headers (${stored.headerNames.join(", ")}).`
            : "One per line, as Name: value, e.g. X-Api-Key: … Stored encrypted; never shown again."
        }
        error={props.error}
      >
        <textarea
          id="field-headers"
          name="headers"
          rows={3}
          autoComplete="off"
          spellcheck={false}
          aria-describedby="field-headers-hint"
        />
      </Field>
    );
  return null;
}

export function ServerForm(props: {
  server: McpServerView | null;
  onSaved: (saved: McpServerSaved) => void;
  onClose: () => void;
}) {
  const form = useFormState();
  const current = props.server;
  const [kind, setKind] = useState<AuthKind>(current?.auth.kind ?? "none");
  const [authError, setAuthError] = useState<string | null>(null);

  const submit = (event: Event) => {
    const v = formValues(event);
    const auth = authToSend(kind, v.token ?? "", v.headers ?? "", current?.auth ?? null);
    if ("error" in auth) {
      setAuthError(auth.error);
      return;
    }
    setAuthError(null);
    const seconds = Number(v.timeoutSeconds);
    const body = {
      name: v.name?.trim(),
      description: v.description?.trim() || null,
      url: v.url?.trim(),
      ...auth,
      ...(v.timeoutSeconds && Number.isFinite(seconds)
        ? { timeoutMs: Math.round(seconds * 1000) }
        : {}),
    };
    void form.submit(async () => {
      const saved = current
        ? await api.patch<McpServerSaved>(`/mcp-servers/${current.id}`, body)
        : await api.post<McpServerSaved>("/mcp-servers", body);
      props.onSaved(saved);
    });
  };

  return (
    <form onSubmit={submit}>
      <Field
        label="Name"
        name="name"
        required
        maxLength={32}
        pattern={NAME_PATTERN}
        autoComplete="off"
        spellcheck={false}
        placeholder="e.g. github"
        defaultValue={current?.name ?? ""}
        hint="Lowercase letters, digits and hyphens. Its tools appear to clients as <name>__<tool>."
        error={form.fields.name}
      />
      <Field
        label="Description"
        name="description"
        maxLength={500}
        placeholder="Optional: what it is for"
        defaultValue={current?.description ?? ""}
        error={form.fields.description}
      />
      <Field
        label="URL"
        name="url"
        type="url"
        required
        maxLength={2048}
        spellcheck={false}
        placeholder="https://mcp.example.com/mcp"
        defaultValue={current?.url ?? ""}
        hint="The server's Streamable HTTP endpoint."
        error={form.fields.url}
      />
      <Field label="Authentication" name="authKind" error={undefined}>
        <select
          id="field-authKind"
          name="authKind"
          value={kind}
          onChange={(e) => {
            setKind(e.currentTarget.value as AuthKind);
            setAuthError(null);
          }}
        >
          {AUTH_KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </Field>
      <AuthFields
        kind={kind}
        current={current}
        error={authError ?? fieldError(form.fields, "auth")}
      />
      <Field
        label="Timeout (seconds)"
        name="timeoutSeconds"
        type="number"
        min={1}
        max={300}
        step={1}
        defaultValue={current ? String(Math.round(current.timeoutMs / 1000)) : "30"}
        hint="How long a call to this server may take before it fails as a tool error."
        error={form.fields.timeoutMs}
      />
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel={current ? "Save and test" : "Add and test"}
        busyLabel="Saving and testing…"
        onCancel={props.onClose}
      />
    </form>
  );
}
