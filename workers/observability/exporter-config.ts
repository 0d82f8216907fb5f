// An organisation's OTLP exporter as the queue consumer and the ExportOutbox use it: the row of
// telemetry_exporters with its headers decrypted, plus the organisation's content-capture switch,
// read in one D1 query and cached in the isolate for 30 s (a busy consumer reads D1 at most once
// per organisation per 30 s). Also the sealing of those headers: one AES-GCM ciphertext of their
// JSON, bound to the organisation, so a ciphertext copied to another row does not open.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { organisations, telemetryExporters } from "../../d1/schema";
import { decryptSecret, encryptSecret } from "../../shared/crypto";
import { TtlCache } from "../../shared/ttl-cache";
import { config } from "../config";
import { db } from "../db";
import type { OtlpProtocol } from "./payloads";

export interface ExporterConfig {
  orgId: string;
  protocol: OtlpProtocol;
  /** The collector's base URL, without a trailing slash. */
  endpoint: string;
  /** Sent with every export; secrets (decrypted here, never logged or returned). */
  headers: Readonly<Record<string, string>>;
  samplingRatio: number;
  enabled: boolean;
  /** The organisation's content-capture switch (organisations.capture_content). */
  captureContent: boolean;
  updatedAt: number;
}

export const CONFIG_TTL_MS = 30_000;

const cache = new TtlCache<ExporterConfig | null>(CONFIG_TTL_MS, 10_000);

/** Additional data bound into an exporter's headers ciphertext. */
export const exporterContext = (orgId: string) => `telemetry_exporter:${orgId}`;

const SealedHeaders = z.record(z.string(), z.string());

/** The ciphertext to store for these headers (null when there are none). */
export async function sealHeaders(
  env: Env,
  orgId: string,
  headers: Readonly<Record<string, string>>,
): Promise<string | null> {
  if (Object.keys(headers).length === 0) return null;
  const key = await config(env).encryptionKey;
  return encryptSecret(key, JSON.stringify(headers), exporterContext(orgId));
}

/** The headers inside a stored ciphertext. */
export async function openHeaders(
  env: Env,
  orgId: string,
  ciphertext: string | null,
): Promise<Record<string, string>> {
  if (!ciphertext) return {};
  const key = await config(env).encryptionKey;
  return SealedHeaders.parse(
    JSON.parse(await decryptSecret(key, ciphertext, exporterContext(orgId))),
  );
}

/** The organisation's exporter (enabled or not), or null when it has none. Cached 30 s. */
export function loadExporterConfig(env: Env, orgId: string): Promise<ExporterConfig | null> {
  return cache.getOrLoad(orgId, async () => {
    const [row] = await db(env)
      .select({
        exporter: telemetryExporters,
        captureContent: organisations.captureContent,
      })
      .from(telemetryExporters)
      .leftJoin(organisations, eq(organisations.id, telemetryExporters.orgId))
      .where(eq(telemetryExporters.orgId, orgId));
    if (!row) return null;
    const e = row.exporter;
    return {
      orgId,
      protocol: e.protocol,
      endpoint: e.endpoint,
      headers: await openHeaders(env, orgId, e.headersCiphertext),
      samplingRatio: e.samplingRatio,
      enabled: e.enabled,
      captureContent: row.captureContent ?? false,
      updatedAt: e.updatedAt,
    };
  });
}

/** Drops this isolate's copy after the exporter changed, so the next use reads D1. */
export function forgetExporterConfig(orgId: string): void {
  cache.delete(orgId);
}
