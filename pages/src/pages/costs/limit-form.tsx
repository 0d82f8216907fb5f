// Adding or editing a limit. Scope and metric are fixed once a limit exists (the API refuses
// to change them), so editing shows them as text.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LimitMetric, LimitScope, LimitView, LimitWindow } from "../../../../shared/api-types";
import { ApiError, api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { Notice } from "../../ui/states";
import type { Directory } from "./directory";
import { describeScope, METRICS, WINDOWS } from "./limit-text";

type Scope = LimitScope;

const SCOPES: { value: Scope; label: string }[] = [
  { value: "organisation", label: "The whole organisation" },
  { value: "default_user", label: "Each user (default per user)" },
  { value: "team", label: "One team (its members together)" },
  { value: "user", label: "One user" },
  { value: "virtual_key", label: "One virtual key" },
  { value: "llm_proxy", label: "One LLM proxy" },
];

const SHOWN_FIELDS = ["name", "scope", "scopeId", "metric", "window", "amount", "amountUsd"];

/** The message for a field, also for paths inside it ("models.0"). */
function fieldError(fields: Record<string, string>, ...names: string[]): string | undefined {
  for (const [path, message] of Object.entries(fields))
    if (names.some((n) => path === n || path.startsWith(`${n}.`))) return message;
  return undefined;
}

function parseModels(text: string): string[] | null {
  const models = text
    .split(/[\s,]+/)
    .map((m) => m.trim())
    .filter(Boolean);
  return models.length > 0 ? models : null;
}

function parseAmount(text: string, path: string): number | undefined {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n))
    throw new ApiError(400, "Check the amount.", [{ path, message: "enter a number" }]);
  return n;
}

export function LimitForm(props: {
  limit?: LimitView;
  directory: Directory;
  onSaved: (limit: LimitView) => void;
  onCancel: () => void;
}) {
  const { limit, directory } = props;
  const form = useFormState();
  const [scope, setScope] = useState<Scope>("organisation");
  const [metric, setMetric] = useState<LimitMetric>(limit?.metric ?? "cost");
  const [period, setPeriod] = useState<LimitWindow>(limit?.window ?? "month");
  const first = useRef<HTMLDivElement>(null);
  useEffect(() => first.current?.querySelector("input")?.focus(), []);

  const amountPath = metric === "cost" ? "amountUsd" : "amount";
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      const missing = [
        !v.name?.trim() && { path: "name", message: "Give the limit a name." },
        !v.amount?.trim() && { path: amountPath, message: "Give an amount." },
        !limit &&
          scope !== "organisation" &&
          scope !== "default_user" &&
          !v.scopeId?.trim() && { path: "scopeId", message: "Choose what this limit is for." },
      ].filter((f) => f !== false);
      if (missing.length > 0) throw new ApiError(400, "Fill in the marked fields.", missing);
      const amount = parseAmount(v.amount ?? "", amountPath);
      const common = {
        name: v.name ?? "",
        window: v.window,
        [amountPath]: amount,
        models: parseModels(v.models ?? ""),
      };
      const saved = limit
        ? await api.patch<LimitView>(`/limits/${limit.id}`, common)
        : await api.post<LimitView>("/limits", {
            ...common,
            scope,
            scopeId: v.scopeId || undefined,
            metric,
            models: common.models ?? undefined,
          });
      props.onSaved(saved);
    });
  };

  const unshown = Object.keys(form.fields).some(
    (p) => !SHOWN_FIELDS.includes(p) && !p.startsWith("models"),
  );
  return (
    <form
      class="limit-form stack"
      onSubmit={onSubmit}
      noValidate
      aria-label={limit ? `Edit ${limit.name}` : "Add a limit"}
    >
      <h3>{limit ? `Edit “${limit.name}”` : "Add a limit"}</h3>
      <div class="form-grid">
        <div ref={first}>
          <Field
            label="Name"
            name="name"
            required
            maxLength={120}
            defaultValue={limit?.name ?? ""}
            placeholder="e.g. Monthly budget"
            error={fieldError(form.fields, "name")}
          />
        </div>
        {limit ? (
          <div class="field">
            <span class="field-label">Applies to</span>
            <p>{describeScope(limit, directory)}</p>
          </div>
        ) : (
          <Field label="Applies to" name="scope" error={fieldError(form.fields, "scope")}>
            <select
              id="field-scope"
              name="scope"
              value={scope}
              onChange={(e) => setScope(e.currentTarget.value as Scope)}
            >
              {SCOPES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </Field>
        )}
        {!limit ? (
          <ScopeTarget
            scope={scope}
            directory={directory}
            error={fieldError(form.fields, "scopeId")}
          />
        ) : null}
        {limit ? (
          <div class="field">
            <span class="field-label">Measures</span>
            <p>{METRICS.find((m) => m.value === limit.metric)?.label}</p>
          </div>
        ) : (
          <Field label="Measures" name="metric" error={fieldError(form.fields, "metric")}>
            <select
              id="field-metric"
              name="metric"
              value={metric}
              onChange={(e) => setMetric(e.currentTarget.value as LimitMetric)}
            >
              {METRICS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field
          label={metric === "cost" ? "Amount (USD)" : metric === "tokens" ? "Tokens" : "Requests"}
          name="amount"
          type="number"
          inputMode={metric === "cost" ? "decimal" : "numeric"}
          min={metric === "cost" ? "0.01" : "1"}
          step={metric === "cost" ? "0.01" : "1"}
          required
          defaultValue={limit ? String(limit.amountUsd ?? limit.amount) : ""}
          placeholder={metric === "cost" ? "50.00" : "100000"}
          error={fieldError(form.fields, "amountUsd", "amount")}
        />
        <Field
          label="Per"
          name="window"
          error={fieldError(form.fields, "window")}
          hint={
            limit
              ? "Changing the window resets this limit's usage."
              : "Minute and hour roll; day, week and month follow the calendar."
          }
        >
          <select
            id="field-window"
            name="window"
            value={period}
            onChange={(e) => setPeriod(e.currentTarget.value as LimitWindow)}
            aria-describedby={
              fieldError(form.fields, "window")
                ? "field-window-hint field-window-error"
                : "field-window-hint"
            }
          >
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Models (optional)"
          name="models"
          defaultValue={limit?.models?.join(", ") ?? ""}
          placeholder="All models"
          hint="Model ids separated by commas, e.g. claude-sonnet-4-5. Empty: all models."
          error={fieldError(form.fields, "models")}
        />
      </div>
      {limit && period !== limit.window ? (
        <Notice tone="warning">Saving with a new window starts this limit's usage afresh.</Notice>
      ) : null}
      {form.error ? (
        <Notice tone="error">{unshown ? form.error : "Check the fields marked above."}</Notice>
      ) : null}
      <div class="row">
        <button type="submit" class="button primary" disabled={form.busy}>
          {form.busy ? "Saving…" : limit ? "Save limit" : "Create limit"}
        </button>
        <button
          type="button"
          class="button secondary"
          onClick={props.onCancel}
          disabled={form.busy}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The user, team, virtual key or proxy a scoped limit is for; an id box if the list is not ours to read. */
function ScopeTarget(props: { scope: Scope; directory: Directory; error: string | undefined }) {
  const { scope, directory } = props;
  const options =
    scope === "user"
      ? directory.users?.map((u) => ({ id: u.id, label: `${u.name} (${u.email})` }))
      : scope === "team"
        ? directory.teams?.map((t) => ({ id: t.id, label: t.name }))
        : scope === "llm_proxy"
          ? directory.proxies?.map((p) => ({ id: p.id, label: p.name }))
          : scope === "virtual_key"
            ? directory.keys
                ?.filter((k) => k.status === "active")
                .map((k) => ({
                  id: k.id,
                  label: `${k.name} · ${k.ownerName ?? k.ownerEmail ?? k.ownerUserId}`,
                }))
            : null;
  if (scope === "organisation" || scope === "default_user") return null;
  const NOUNS = { user: "User", team: "Team", llm_proxy: "LLM proxy", virtual_key: "Virtual key" };
  const noun = NOUNS[scope];
  if (!options) {
    return <Field label={`${noun} id`} name="scopeId" required error={props.error} />;
  }
  return (
    <Field label={noun} name="scopeId" error={props.error}>
      <select
        id="field-scopeId"
        name="scopeId"
        required
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? "field-scopeId-error" : undefined}
      >
        <option value="">Choose…</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}
