// Creating or editing an MCP gateway: its slug (fixed once created: clients hold its URL),
// name, the servers whose tools it offers, and the teams that may use it.
import type { McpGatewayView, McpServerView, TeamView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { CheckList, Field, formValues, useFormState } from "../../ui/form";
import { FormActions, fieldError } from "../../ui/modal";
import { Notice } from "../../ui/states";

function enabledTools(server: McpServerView): string {
  const n = server.tools.filter((t) => t.enabled).length;
  return `${n} ${n === 1 ? "tool" : "tools"} enabled`;
}

const SLUG_PATTERN = "[a-z0-9](?:[a-z0-9\\-]{0,38}[a-z0-9])?";

export function GatewayForm(props: {
  gateway: McpGatewayView | null;
  /** null: the caller may not list them, so the form leaves them as they are. */
  servers: McpServerView[] | null;
  teams: TeamView[] | null;
  onSaved: (gateway: McpGatewayView) => void;
  onClose: () => void;
}) {
  const form = useFormState();
  const current = props.gateway;
  const submit = (event: Event) => {
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const v = formValues(event);
    const ids = (name: string) =>
      data.getAll(name).filter((x): x is string => typeof x === "string");
    const body = {
      ...(current ? {} : { slug: v.slug?.trim() }),
      name: v.name?.trim(),
      description: v.description?.trim() || null,
      ...(props.servers ? { serverIds: ids("serverIds") } : {}),
      ...(props.teams ? { teamIds: ids("teamIds") } : {}),
    };
    void form.submit(async () => {
      const saved = current
        ? await api.patch<McpGatewayView>(`/mcp-gateways/${current.id}`, body)
        : await api.post<McpGatewayView>("/mcp-gateways", body);
      props.onSaved(saved);
    });
  };
  return (
    <form onSubmit={submit}>
      {current ? (
        <p class="muted">
          Slug <code>{current.slug}</code> is fixed: clients already use{" "}
          <code class="url-text">{current.url}</code>.
        </p>
      ) : (
        <Field
          label="Slug"
          name="slug"
          required
          maxLength={40}
          pattern={SLUG_PATTERN}
          autoComplete="off"
          spellcheck={false}
          placeholder="e.g. engineering"
          hint="Lowercase letters, digits and hyphens. It makes the URL (/v1/mcp/<slug>) and Claude Desktop's connector name (archestra-mcp-<slug>); it cannot change later."
          error={form.fields.slug}
        />
      )}
      <Field
        label="Name"
        name="name"
        required
        maxLength={120}
        placeholder="e.g. Engineering tools"
        defaultValue={current?.name ?? ""}
        hint="Shown to people on the Connect page and the consent screen."
        error={form.fields.name}
      />
      <Field
        label="Description"
        name="description"
        maxLength={500}
        placeholder="Optional"
        defaultValue={current?.description ?? ""}
        error={form.fields.description}
      />
      {props.servers ? (
        props.servers.length === 0 ? (
          <Notice tone="info">
            There are no MCP servers yet. <a href="/mcp-servers">Add a server</a> first; until then
            the gateway offers no tools.
          </Notice>
        ) : (
          <CheckList
            legend="Servers"
            name="serverIds"
            items={props.servers.map((s) => ({
              id: s.id,
              label: s.name,
              sub: enabledTools(s),
            }))}
            checked={current?.serverIds ?? []}
            hint="Their enabled tools are offered as <server>__<tool>."
            error={fieldError(form.fields, "serverIds")}
          />
        )
      ) : (
        <Notice tone="info">
          Your role may not list MCP servers, so this form leaves the gateway's servers as they are.
        </Notice>
      )}
      {props.teams ? (
        props.teams.length === 0 ? (
          <p class="hint">There are no teams, so everyone in the organisation may use it.</p>
        ) : (
          <CheckList
            legend="Teams"
            name="teamIds"
            items={props.teams.map((t) => ({ id: t.id, label: t.name }))}
            checked={current?.teamIds ?? []}
            hint="Only their members may use it. Choose none to open it to everyone in the organisation."
            error={fieldError(form.fields, "teamIds")}
          />
        )
      ) : (
        <Notice tone="info">
          Your role may not list teams, so this form leaves who may use the gateway as it is.
        </Notice>
      )}
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel={current ? "Save changes" : "Create gateway"}
        onCancel={props.onClose}
      />
    </form>
  );
}
