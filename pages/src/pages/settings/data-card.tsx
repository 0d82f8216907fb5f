// What Gatehouse keeps of the organisation's traffic: whether prompts, completions and tool
// payloads are captured (off by default), and for how many days logs are kept before the
// hourly retention job deletes them. Costs and budgets come from daily totals that stay.
import { useState } from "preact/hooks";
import type { OrganisationView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import type { Resource } from "../../lib/use-resource";
import { Field, formValues, useFormState } from "../../ui/form";
import { Card } from "../../ui/page";
import { Notice } from "../../ui/states";

const MAX_DAYS = 3650;

/** The days field as the API takes it: empty keeps logs forever. */
function readDays(text: string | undefined): number | null {
  const trimmed = (text ?? "").trim();
  return trimmed === "" ? null : Number(trimmed);
}

/** Shown once the organisation has loaded (the Organisation card shows its loading and errors). */
export function DataCard(props: { organisation: Resource<OrganisationView>; editable: boolean }) {
  const resource = props.organisation;
  if (resource.state !== "ready") return null;
  return (
    <DataForm organisation={resource.data} editable={props.editable} onSaved={resource.reload} />
  );
}

function DataForm(props: {
  organisation: OrganisationView;
  editable: boolean;
  onSaved: () => void;
}) {
  const org = props.organisation;
  const form = useFormState();
  const [capture, setCapture] = useState(org.captureContent);
  const [saved, setSaved] = useState<OrganisationView | null>(null);
  const disabled = !props.editable || form.busy;
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    setSaved(null);
    void form.submit(async () => {
      const next = await api.patch<OrganisationView>("/organisation", {
        captureContent: capture,
        retentionDays: readDays(v.retentionDays),
      });
      setSaved(next);
      props.onSaved();
    });
  };
  return (
    <Card title="Data and retention">
      <form class="stack settings-form" onSubmit={onSubmit} onInput={() => setSaved(null)}>
        <fieldset class="plain" disabled={disabled}>
          <legend>Content capture</legend>
          <div class="field-group">
            <label class="checkbox" for="org-capture-content">
              <input
                id="org-capture-content"
                type="checkbox"
                role="switch"
                checked={capture}
                aria-checked={capture}
                aria-describedby="org-capture-content-hint"
                aria-invalid={form.fields.captureContent ? true : undefined}
                onChange={(e) => {
                  setCapture(e.currentTarget.checked);
                  setSaved(null);
                }}
              />
              <span class="check-label">
                Capture prompts, completions and tool payloads ({capture ? "on" : "off"})
              </span>
            </label>
            <p class="hint" id="org-capture-content-hint">
              Off by default: logs and traces record who asked which model, when, the tokens, cost
              and timing, but not what was said. On: Gatehouse also keeps the prompts and
              completions of LLM requests and the arguments and results of tool calls, with anything
              that looks like a secret redacted and each capped at 16 KB, in the logs and, when a
              telemetry exporter is set up, sends them to it as span attributes. It applies to new
              requests within a few seconds.
            </p>
            {form.fields.captureContent ? (
              <p class="field-error check-error">{form.fields.captureContent}</p>
            ) : null}
          </div>
        </fieldset>
        <fieldset class="plain" disabled={disabled}>
          <div class="form-grid">
            <Field
              label="Keep logs for (days)"
              name="retentionDays"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_DAYS}
              step={1}
              placeholder="Forever"
              defaultValue={org.retentionDays === null ? "" : String(org.retentionDays)}
              hint={`1 to ${MAX_DAYS} days; empty keeps them forever. Every hour, request logs, tool-call logs and captured content older than this are deleted for good. Costs and budgets are unaffected: they come from daily totals, which are kept.`}
              error={form.fields.retentionDays}
            />
          </div>
        </fieldset>
        {form.error ? <Notice tone="error">{form.error}</Notice> : null}
        {saved ? (
          <Notice tone="success">
            Saved. Content capture is {saved.captureContent ? "on" : "off"}; logs are kept{" "}
            {saved.retentionDays === null ? "forever" : `for ${saved.retentionDays} days`}.
          </Notice>
        ) : null}
        {props.editable ? (
          <div class="row end">
            <button type="submit" class="button primary" disabled={form.busy}>
              {form.busy ? "Saving…" : "Save data settings"}
            </button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
