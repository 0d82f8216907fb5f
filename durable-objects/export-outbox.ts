// One per organisation (idFromName(orgId)): the OTLP payloads the queue consumer could not
// deliver because the collector was down, slow or answering 408/429/5xx, and the delivery
// counters the Settings page shows. Payloads wait in this object's SQLite storage (bounded by
// count and bytes; past either bound the oldest are dropped and counted) and are retried from an
// alarm with exponential backoff, oldest first, for a bounded time from their first failure;
// then they are dropped and counted. A retry reads the exporter through the same cached loader
// as the consumer, so a changed endpoint or headers apply and a removed or disabled exporter
// drops the backlog. Nothing here writes D1.
import { DurableObject } from "cloudflare:workers";
import type { ExporterDeliveryView, ExporterLastError, OtlpItemCounts } from "../shared/api-types";
import { postPayload } from "../workers/observability/deliver";
import {
  type ExporterConfig,
  forgetExporterConfig,
  loadExporterConfig,
} from "../workers/observability/exporter-config";
import type { OtlpPayload } from "../workers/observability/payloads";

export const OUTBOX_MAX_PAYLOADS = 500;
export const OUTBOX_MAX_BYTES = 20 * 1024 * 1024;
/** How long a payload is retried, from its first failure. */
export const OUTBOX_RETRY_WINDOW_MS = 15 * 60_000;
export const FIRST_RETRY_MS = 2_000;
export const MAX_RETRY_MS = 60_000;
/** Payloads tried per alarm while the collector keeps accepting them. */
const PER_ALARM = 50;
/** SQLite storage keeps values up to 2 MB; a larger payload is stored in pieces. */
const CHUNK_BYTES = 1024 * 1024;

/** What the consumer learnt exporting one batch of an organisation (one call per batch). */
export interface OutboxReport {
  orgId: string;
  at: number;
  exported: OtlpItemCounts;
  dropped: OtlpItemCounts;
  lastError?: ExporterLastError;
  /** Payloads to retry, with the answer that made them retryable already in lastError. */
  retry: OtlpPayload[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS payloads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  signal TEXT NOT NULL,
  content_type TEXT NOT NULL,
  items INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_failed_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS chunks (
  payload_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (payload_id, seq)
);
CREATE TABLE IF NOT EXISTS stats (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  org_id TEXT,
  exported_spans INTEGER NOT NULL DEFAULT 0,
  exported_points INTEGER NOT NULL DEFAULT 0,
  dropped_spans INTEGER NOT NULL DEFAULT 0,
  dropped_points INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER,
  last_error TEXT,
  failures INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO stats (id) VALUES (1);
`;

type Signal = OtlpPayload["signal"];

type StoredPayload = {
  id: number;
  signal: Signal;
  content_type: string;
  items: number;
  bytes: number;
  first_failed_at: number;
};

type Stats = {
  org_id: string | null;
  exported_spans: number;
  exported_points: number;
  dropped_spans: number;
  dropped_points: number;
  last_success_at: number | null;
  last_error: string | null;
  failures: number;
};

const column = (signal: Signal) => (signal === "traces" ? "spans" : "points");

/** A payload's items as counts: spans for traces, data points for metrics. */
function itemsOf(p: { signal: Signal; items: number }): OtlpItemCounts {
  return p.signal === "traces" ? { spans: p.items, points: 0 } : { spans: 0, points: p.items };
}

export class ExportOutbox extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(SCHEMA);
  }

  /** Counts one batch's outcome and keeps its retryable payloads. */
  async record(report: OutboxReport): Promise<void> {
    this.#sql.exec("UPDATE stats SET org_id = ? WHERE id = 1", report.orgId);
    this.#count("exported", report.exported);
    this.#count("dropped", report.dropped);
    if (report.exported.spans + report.exported.points > 0) {
      this.#sql.exec(
        "UPDATE stats SET last_success_at = max(coalesce(last_success_at, 0), ?) WHERE id = 1",
        report.at,
      );
    }
    if (report.lastError) this.#setLastError(report.lastError);
    for (const payload of report.retry) this.#keep(payload, report.at);
    this.#enforceBounds();
    if (report.retry.length > 0 && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + this.#backoff());
    }
  }

  /** The delivery counters and what is waiting, for GET /api/telemetry/exporter. */
  async status(): Promise<ExporterDeliveryView> {
    const s = this.#stats();
    const pending = { payloads: 0, spans: 0, points: 0 };
    for (const row of this.#sql.exec<{ signal: Signal; n: number; items: number }>(
      "SELECT signal, count(*) AS n, sum(items) AS items FROM payloads GROUP BY signal",
    )) {
      pending.payloads += row.n;
      pending[column(row.signal)] += row.items;
    }
    return {
      exported: { spans: s.exported_spans, points: s.exported_points },
      dropped: { spans: s.dropped_spans, points: s.dropped_points },
      pending,
      lastSuccessAt: s.last_success_at,
      lastError: s.last_error ? (JSON.parse(s.last_error) as ExporterLastError) : null,
      nextRetryAt: pending.payloads > 0 ? await this.ctx.storage.getAlarm() : null,
    };
  }

  /**
   * The exporter was changed or removed. This isolate forgets its cached copy; a changed
   * exporter gets the backlog at once (its fix may be the new endpoint or headers); a removed
   * one takes the backlog and the counters with it.
   */
  async configChanged(removed: boolean): Promise<void> {
    const orgId = this.#stats().org_id;
    if (orgId) forgetExporterConfig(orgId);
    if (removed) {
      this.#sql.exec("DELETE FROM chunks; DELETE FROM payloads; DELETE FROM stats;");
      this.#sql.exec("INSERT OR IGNORE INTO stats (id) VALUES (1)");
      await this.ctx.storage.deleteAlarm();
      return;
    }
    this.#sql.exec("UPDATE stats SET failures = 0 WHERE id = 1");
    if (this.#pendingCount() > 0) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const orgId = this.#stats().org_id;
    let exporter: ExporterConfig | null;
    try {
      exporter = orgId ? await loadExporterConfig(this.env, orgId) : null;
    } catch (err) {
      // D1 (or the key) is unavailable: the payloads wait, their time bound still running.
      console.error(
        `export outbox: could not read the exporter: ${err instanceof Error ? err.message : err}`,
      );
      await this.ctx.storage.setAlarm(Date.now() + this.#backoff());
      return;
    }
    if (!exporter?.enabled) {
      // Removed or switched off: what waits has nowhere to go.
      this.#dropWhere("1 = 1");
      return;
    }
    this.#dropWhere("first_failed_at <= ?", Date.now() - OUTBOX_RETRY_WINDOW_MS);
    const due = this.#sql
      .exec<StoredPayload>(
        "SELECT id, signal, content_type, items, bytes, first_failed_at FROM payloads ORDER BY id LIMIT ?",
        PER_ALARM,
      )
      .toArray();
    let failed = false;
    for (const payload of due) {
      const outcome = await postPayload(exporter, {
        signal: payload.signal,
        contentType: payload.content_type,
        body: this.#bodyOf(payload.id, payload.bytes),
      });
      const now = Date.now();
      failed = outcome.kind === "retry" || outcome.kind === "unreachable";
      // Removed meanwhile (the exporter was deleted, or a full outbox made room): not ours to count.
      if (!failed && !this.#remove(payload.id)) continue;
      if (outcome.kind === "delivered") {
        this.#count("exported", itemsOf(payload));
        this.#sql.exec("UPDATE stats SET last_success_at = ?, failures = 0 WHERE id = 1", now);
        continue;
      }
      const lastError: ExporterLastError = {
        at: now,
        status: outcome.status,
        body: outcome.body,
        signal: payload.signal,
      };
      this.#setLastError(lastError);
      if (outcome.kind === "refused") {
        this.#count("dropped", itemsOf(payload));
        continue;
      }
      // Still down: the rest waits for the next attempt rather than hammering the collector.
      this.#sql.exec("UPDATE payloads SET attempts = attempts + 1 WHERE id = ?", payload.id);
      this.#sql.exec("UPDATE stats SET failures = failures + 1 WHERE id = 1");
      break;
    }
    if (this.#pendingCount() > 0) {
      await this.ctx.storage.setAlarm(Date.now() + (failed ? this.#backoff() : 0));
    }
  }

  /** 2 s, then doubling with each failed retry in a row, up to 60 s. */
  #backoff(): number {
    return Math.min(FIRST_RETRY_MS * 2 ** this.#stats().failures, MAX_RETRY_MS);
  }

  #stats(): Stats {
    return this.#sql.exec<Stats>("SELECT * FROM stats WHERE id = 1").one();
  }

  #pendingCount(): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM payloads").one().n;
  }

  #count(kind: "exported" | "dropped", counts: OtlpItemCounts): void {
    if (counts.spans === 0 && counts.points === 0) return;
    this.#sql.exec(
      `UPDATE stats SET ${kind}_spans = ${kind}_spans + ?, ${kind}_points = ${kind}_points + ? WHERE id = 1`,
      counts.spans,
      counts.points,
    );
  }

  #setLastError(error: ExporterLastError): void {
    this.#sql.exec("UPDATE stats SET last_error = ? WHERE id = 1", JSON.stringify(error));
  }

  #keep(payload: OtlpPayload, failedAt: number): void {
    const { id } = this.#sql
      .exec<{ id: number }>(
        "INSERT INTO payloads (signal, content_type, items, bytes, first_failed_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        payload.signal,
        payload.contentType,
        payload.items,
        payload.body.byteLength,
        failedAt,
      )
      .one();
    for (let at = 0, seq = 0; at < payload.body.byteLength || seq === 0; at += CHUNK_BYTES, seq++) {
      const piece = payload.body.slice(at, at + CHUNK_BYTES);
      this.#sql.exec(
        "INSERT INTO chunks (payload_id, seq, data) VALUES (?, ?, ?)",
        id,
        seq,
        piece.buffer,
      );
    }
  }

  #bodyOf(id: number, bytes: number): Uint8Array {
    const body = new Uint8Array(bytes);
    let at = 0;
    for (const { data } of this.#sql.exec<{ data: ArrayBuffer }>(
      "SELECT data FROM chunks WHERE payload_id = ? ORDER BY seq",
      id,
    )) {
      body.set(new Uint8Array(data), at);
      at += data.byteLength;
    }
    return body;
  }

  /** Deletes a payload; false when it was no longer there. */
  #remove(id: number): boolean {
    this.#sql.exec("DELETE FROM chunks WHERE payload_id = ?", id);
    return (
      this.#sql.exec("DELETE FROM payloads WHERE id = ? RETURNING id", id).toArray().length > 0
    );
  }

  /** Drops (and counts) the payloads matching `where`. */
  #dropWhere(where: string, ...params: (string | number)[]): void {
    const rows = this.#sql
      .exec<{ id: number; signal: Signal; items: number }>(
        `SELECT id, signal, items FROM payloads WHERE ${where}`,
        ...params,
      )
      .toArray();
    for (const row of rows) {
      this.#remove(row.id);
      this.#count("dropped", itemsOf(row));
    }
  }

  /** Past OUTBOX_MAX_PAYLOADS or OUTBOX_MAX_BYTES, the oldest payloads make room. */
  #enforceBounds(): void {
    for (;;) {
      const { n, bytes } = this.#sql
        .exec<{ n: number; bytes: number | null }>(
          "SELECT count(*) AS n, sum(bytes) AS bytes FROM payloads",
        )
        .one();
      if (n <= OUTBOX_MAX_PAYLOADS && (bytes ?? 0) <= OUTBOX_MAX_BYTES) return;
      const oldest = this.#sql.exec<{ id: number }>("SELECT min(id) AS id FROM payloads").one();
      this.#dropWhere("id = ?", oldest.id);
    }
  }
}

/** The organisation's outbox. */
export function exportOutbox(env: Env, orgId: string) {
  return env.EXPORT_OUTBOX.get(env.EXPORT_OUTBOX.idFromName(orgId));
}
