// Trace and metric export: the organisation's OpenTelemetry collector (OTLP over HTTP), its
// headers (names shown, values never), sampling, a "send a test span" button that shows what the
// collector answered, and how exports have gone (exported, dropped, waiting, the last error with
// the collector's answer). Everyone with organisation:read sees it; telemetry:update edits it.
import "./exporter-card.css";
import { useRef, useState } from "preact/hooks";
import type {
  ExporterDeliveryView,
  ExporterTestResult,
  OtlpProtocolName,
  TelemetryExporterAnswer,
  TelemetryExporterView,
} from "../../../../shared/api-types";
import { ApiError, api, errorMessage } from "../../lib/api";
import { exactTime, formatCount, formatRelative } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Field, useFormState } from "../../ui/form";
import { Badge, Card } from "../../ui/page";
import { ErrorState, Loading, Notice } from "../../ui/states";
import { CheckField } from "./check-field";

const PATH = "/telemetry/exporter";
const TITLE = "Trace and metric export (OpenTelemetry)";

export function ExporterCard(props: { editable: boolean }) {
  const exporter = useResource(() => api.get<TelemetryExporterAnswer>(PATH));
  if (exporter.state !== "ready") {
    return (
      <Card title={TITLE}>
        {exporter.state === "loading" ? (
          <Loading label="Loading the exporter…" />
        ) : (
          <ErrorState message={exporter.message} onRetry={exporter.reload} />
        )}
      </Card>
    );
  }
  const current = exporter.data.exporter;
  return (
    <Card
      title={TITLE}
      actions={
        current ? (
          <Badge tone={current.enabled ? "good" : "neutral"}>
            {current.enabled ? "Exporting" : "Paused"}
          </Badge>
        ) : null
      }
    >
      <p class="hint block">
        Every request and tool call is sent as OpenTelemetry spans, and usage as metrics, to your
        collector over OTLP/HTTP. A collector that is down or slow never slows a request: exports
        are retried for 15 minutes, then dropped and counted here.
      </p>
      {props.editable ? null : (
        <p class="hint block">
          Changing the exporter needs the permission <code>telemetry:update</code>.
        </p>
      )}
      {current || props.editable ? (
        <ExporterForm
          key={current?.updatedAt ?? 0}
          current={current}
          editable={props.editable}
          onChanged={exporter.reload}
        />
      ) : (
        <p class="muted">No collector is set up.</p>
      )}
      {current ? <DeliveryStatus delivery={current.delivery} onRefresh={exporter.reload} /> : null}
    </Card>
  );
}

interface Draft {
  protocol: OtlpProtocolName;
  endpoint: string;
  headers: string;
  samplingRatio: string;
}

function readDraft(form: HTMLFormElement): Draft {
  const data = new FormData(form);
  const text = (name: string) => {
    const v = data.get(name);
    return typeof v === "string" ? v : "";
  };
  return {
    protocol: text("protocol") === "http/protobuf" ? "http/protobuf" : "http/json",
    endpoint: text("endpoint").trim(),
    headers: text("headers"),
    samplingRatio: text("samplingRatio").trim(),
  };
}

/** Empty headers keep the stored ones (left out); "clear" sends "" to remove them. */
function headersToSend(draft: Draft, clear: boolean): string | undefined {
  if (clear) return "";
  return draft.headers.trim() ? draft.headers : undefined;
}

type TestState =
  | { state: "idle" }
  | { state: "busy" }
  | { state: "answered"; result: ExporterTestResult }
  | { state: "failed"; message: string; fields: Record<string, string> };

function ExporterForm(props: {
  current: TelemetryExporterView | null;
  editable: boolean;
  onChanged: () => void;
}) {
  const current = props.current;
  const form = useFormState();
  const formRef = useRef<HTMLFormElement>(null);
  const [enabled, setEnabled] = useState(current?.enabled ?? true);
  const [clearHeaders, setClearHeaders] = useState(false);
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<TestState>({ state: "idle" });
  const [confirmRemove, setConfirmRemove] = useState(false);
  const disabled = !props.editable || form.busy;
  const testFields = test.state === "failed" ? test.fields : {};
  const fieldError = (name: string) => form.fields[name] ?? testFields[name];
  const storedNames = current?.headerNames ?? [];

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const el = formRef.current;
    if (!el) return;
    const draft = readDraft(el);
    setSaved(false);
    void form.submit(async () => {
      await api.put<TelemetryExporterView>(PATH, {
        protocol: draft.protocol,
        endpoint: draft.endpoint,
        headers: headersToSend(draft, clearHeaders),
        samplingRatio: draft.samplingRatio === "" ? null : Number(draft.samplingRatio),
        enabled,
      });
      setSaved(true);
      props.onChanged();
    });
  };

  const sendTest = async () => {
    const el = formRef.current;
    if (!el) return;
    const draft = readDraft(el);
    setTest({ state: "busy" });
    try {
      const result = await api.post<ExporterTestResult>(`${PATH}/test`, {
        protocol: draft.protocol,
        ...(draft.endpoint ? { endpoint: draft.endpoint } : {}),
        headers: headersToSend(draft, clearHeaders),
      });
      setTest({ state: "answered", result });
    } catch (err) {
      const fields =
        err instanceof ApiError
          ? Object.fromEntries(err.fields.map((f) => [f.path, f.message]))
          : {};
      setTest({ state: "failed", message: errorMessage(err), fields });
    }
  };

  return (
    <form
      ref={formRef}
      class="stack settings-form exporter-form"
      onSubmit={onSubmit}
      onInput={() => setSaved(false)}
    >
      <fieldset class="plain" disabled={disabled}>
        <div class="form-grid">
          <Field
            label="Collector endpoint"
            name="endpoint"
            type="url"
            required
            maxLength={2048}
            placeholder="https://otel.example.com:4318"
            autoComplete="off"
            spellcheck={false}
            defaultValue={current?.endpoint ?? ""}
            hint="The collector's base URL: spans go to …/v1/traces, metrics to …/v1/metrics."
            error={fieldError("endpoint")}
          />
          <Field
            label="Protocol"
            name="protocol"
            hint="OTLP over HTTP, encoded as JSON or protobuf."
            error={fieldError("protocol")}
          >
            <select id="field-protocol" name="protocol" class="input">
              <option value="http/protobuf" selected={current?.protocol === "http/protobuf"}>
                http/protobuf
              </option>
              <option
                value="http/json"
                selected={(current?.protocol ?? "http/json") === "http/json"}
              >
                http/json
              </option>
            </select>
          </Field>
        </div>
        <Field
          label="Headers"
          name="headers"
          hint={
            storedNames.length > 0
              ? `One per line, as Name: value. Leave empty to keep the stored headers (${storedNames.join(", ")}); their values are never shown.`
              : "One per line, as Name: value, e.g. Authorization: Bearer … Stored encrypted; never shown again."
          }
          error={fieldError("headers")}
        >
          <textarea
            id="field-headers"
            name="headers"
            rows={3}
            autoComplete="off"
            spellcheck={false}
            maxLength={8192}
            disabled={clearHeaders || disabled}
            placeholder={storedNames.map((n) => `${n}: ••••••`).join("\n")}
            aria-describedby="field-headers-hint"
            aria-invalid={fieldError("headers") ? true : undefined}
          />
        </Field>
        {props.editable && storedNames.length > 0 ? (
          <CheckField
            id="exporter-clear-headers"
            label="Remove the stored headers"
            hint="On: the next save (or test) sends no headers at all."
            checked={clearHeaders}
            onChange={setClearHeaders}
          />
        ) : null}
        <div class="form-grid">
          <Field
            label="Sampling ratio"
            name="samplingRatio"
            type="number"
            required
            min={0}
            max={1}
            step="any"
            inputMode="decimal"
            defaultValue={String(current?.samplingRatio ?? 1)}
            hint="Share of traces exported, from 0 to 1 (1: every trace). Metrics are never sampled."
            error={fieldError("samplingRatio")}
          />
        </div>
        <CheckField
          id="exporter-enabled"
          label="Export traces and metrics"
          hint="Off: the settings are kept, and nothing is sent."
          checked={enabled}
          onChange={(checked) => {
            setEnabled(checked);
            setSaved(false);
          }}
          error={fieldError("enabled")}
        />
      </fieldset>
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      {saved ? <Notice tone="success">Exporter saved.</Notice> : null}
      <TestOutcome test={test} />
      {props.editable ? (
        <div class="row end wrap">
          {current ? (
            <button
              type="button"
              class="button danger"
              disabled={form.busy}
              onClick={() => setConfirmRemove(true)}
            >
              Remove
            </button>
          ) : null}
          <button
            type="button"
            class="button secondary"
            disabled={form.busy || test.state === "busy"}
            onClick={() => void sendTest()}
          >
            {test.state === "busy" ? "Sending…" : "Send a test span"}
          </button>
          <button type="submit" class="button primary" disabled={form.busy}>
            {form.busy ? "Saving…" : "Save exporter"}
          </button>
        </div>
      ) : null}
      <ConfirmDialog
        open={confirmRemove}
        title="Remove the exporter?"
        confirmLabel="Remove exporter"
        onClose={() => setConfirmRemove(false)}
        onConfirm={async () => {
          await api.delete(PATH);
          props.onChanged();
        }}
      >
        <p>
          Nothing more is sent to {current?.endpoint ?? "the collector"}, and exports waiting to be
          retried are dropped. The request logs are not affected.
        </p>
      </ConfirmDialog>
    </form>
  );
}

function TestOutcome(props: { test: TestState }) {
  const t = props.test;
  if (t.state === "idle" || t.state === "busy") return null;
  if (t.state === "failed") {
    return (
      <Notice tone="error">
        <strong>Test span not delivered.</strong> {t.message}
      </Notice>
    );
  }
  const r = t.result;
  return (
    <Notice tone={r.ok ? "success" : "error"}>
      <div class="stack tight">
        <span>
          <strong>
            {r.ok ? "The collector accepted the test span" : "The collector refused the test span"}
          </strong>{" "}
          (HTTP {r.status}, {formatCount(r.durationMs)} ms).
        </span>
        {r.body ? (
          <pre class="collector-answer">{r.body}</pre>
        ) : (
          <span class="muted">Its answer was empty.</span>
        )}
      </div>
    </Notice>
  );
}

function counts(c: { spans: number; points: number }): string {
  return `${formatCount(c.spans)} spans, ${formatCount(c.points)} metric points`;
}

function DeliveryStatus(props: { delivery: ExporterDeliveryView; onRefresh: () => void }) {
  const d = props.delivery;
  const dropped = d.dropped.spans + d.dropped.points;
  return (
    <section class="settings-section exporter-delivery" aria-label="Delivery">
      <div class="row between">
        <h3>Delivery</h3>
        <button type="button" class="button secondary small" onClick={props.onRefresh}>
          Refresh
        </button>
      </div>
      <dl class="details">
        <dt>Exported</dt>
        <dd>{counts(d.exported)}</dd>
        <dt>Dropped</dt>
        <dd>
          {counts(d.dropped)}
          {dropped > 0 ? (
            <span class="hint block">
              Refused by the collector, or still undelivered 15 minutes after the first try.
            </span>
          ) : null}
        </dd>
        <dt>Waiting to retry</dt>
        <dd>
          {d.pending.payloads === 0
            ? "Nothing"
            : `${counts(d.pending)} in ${formatCount(d.pending.payloads)} exports${
                d.nextRetryAt ? `, next try ${formatRelative(d.nextRetryAt)}` : ""
              }`}
        </dd>
        <dt>Last success</dt>
        <dd>
          {d.lastSuccessAt ? (
            <time title={exactTime(d.lastSuccessAt)}>{formatRelative(d.lastSuccessAt)}</time>
          ) : (
            "Never"
          )}
        </dd>
        <dt>Last error</dt>
        <dd>
          {d.lastError ? (
            <div class="stack tight">
              <span>
                <time title={exactTime(d.lastError.at)}>{formatRelative(d.lastError.at)}</time>,{" "}
                {d.lastError.signal}:{" "}
                {d.lastError.status === null
                  ? "no answer"
                  : `the collector answered HTTP ${d.lastError.status}`}
              </span>
              {d.lastError.body ? <pre class="collector-answer">{d.lastError.body}</pre> : null}
            </div>
          ) : (
            "None"
          )}
        </dd>
      </dl>
    </section>
  );
}
