// The organisation's own settings: its name, the time zone calendar limit windows start in,
// what the proxy does when a limit cannot be checked, the price of unpriced models, and
// whether MCP logs keep tool-call arguments and results.
import { useState } from "preact/hooks";
import type { OrganisationView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { Card } from "../../ui/page";
import { Notice } from "../../ui/states";
import { CheckField } from "./check-field";
import { DefaultPriceFields, readPrice } from "./price-fields";

function timeZones(current: string): string[] {
  const all = Intl.supportedValuesOf("timeZone");
  // "UTC" is not in every engine's list, and the saved zone must always be choosable.
  return [...new Set(["UTC", current, ...all])].sort((a, b) =>
    a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b),
  );
}

export function OrganisationCard(props: {
  organisation: OrganisationView;
  editable: boolean;
  onSaved: (organisation: OrganisationView) => void;
}) {
  const org = props.organisation;
  const form = useFormState();
  const [priced, setPriced] = useState(org.defaultModelPrice !== null);
  const [keepPayloads, setKeepPayloads] = useState(org.mcpLogPayloads);
  const [saved, setSaved] = useState(false);
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    setSaved(false);
    void form.submit(async () => {
      const next = await api.patch<OrganisationView>("/organisation", {
        name: v.name,
        timeZone: v.timeZone,
        limitFailMode: v.limitFailMode,
        defaultModelPrice: priced ? readPrice(v) : null,
        mcpLogPayloads: keepPayloads,
      });
      props.onSaved(next);
      setSaved(true);
    });
  };
  return (
    <Card title="Organisation">
      <form class="stack settings-form" onSubmit={onSubmit} onInput={() => setSaved(false)}>
        <fieldset class="plain" disabled={!props.editable || form.busy}>
          <div class="form-grid">
            <Field
              label="Name"
              name="name"
              required
              maxLength={100}
              defaultValue={org.name}
              error={form.fields.name}
            />
            <Field
              label="Time zone"
              name="timeZone"
              hint="Daily, weekly and monthly limits start at midnight in this zone."
              error={form.fields.timeZone}
            >
              <select id="field-timeZone" name="timeZone" class="input">
                {timeZones(org.timeZone).map((z) => (
                  <option key={z} value={z} selected={z === org.timeZone}>
                    {z.replaceAll("_", " ")}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        </fieldset>
        <fieldset class="plain choices-field" disabled={!props.editable || form.busy}>
          <legend>When a limit cannot be checked</legend>
          <div class="choices">
            <label class="choice radio-choice">
              <input
                type="radio"
                name="limitFailMode"
                value="closed"
                defaultChecked={org.limitFailMode === "closed"}
              />
              <span>
                <strong>Closed: refuse the request</strong>
                <small>
                  The safe default. Nobody can spend past a limit while it is unreachable.
                </small>
              </span>
            </label>
            <label class="choice radio-choice">
              <input
                type="radio"
                name="limitFailMode"
                value="open"
                defaultChecked={org.limitFailMode === "open"}
              />
              <span>
                <strong>Open: let the request through</strong>
                <small>Keeps people working, at the risk of going over a budget.</small>
              </span>
            </label>
          </div>
          {form.fields.limitFailMode ? (
            <p class="field-error">{form.fields.limitFailMode}</p>
          ) : null}
        </fieldset>
        <DefaultPriceFields
          price={org.defaultModelPrice}
          priced={priced}
          onPricedChange={setPriced}
          disabled={!props.editable || form.busy}
          fields={form.fields}
        />
        <fieldset class="plain" disabled={!props.editable || form.busy}>
          <legend>MCP logs</legend>
          <CheckField
            id="org-mcp-log-payloads"
            label="Keep MCP tool-call arguments and results (secrets redacted)"
            hint="Off: the MCP logs record who called which tool, when, how long it took and how it ended, but not what was sent or returned. On: they also keep the arguments and results of new calls, with anything that looks like a secret redacted."
            checked={keepPayloads}
            onChange={(checked) => {
              setKeepPayloads(checked);
              setSaved(false);
            }}
            error={form.fields.mcpLogPayloads}
          />
        </fieldset>
        {form.error ? <Notice tone="error">{form.error}</Notice> : null}
        {saved ? <Notice tone="success">Organisation settings saved.</Notice> : null}
        {props.editable ? (
          <div class="row end">
            <button type="submit" class="button primary" disabled={form.busy}>
              {form.busy ? "Saving…" : "Save organisation settings"}
            </button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
