// One per organisation: OTLP payloads the queue consumer could not deliver, retried from an
// alarm with backoff for a bounded time, then dropped and counted. (Filled by issue 15.)
import { DurableObject } from "cloudflare:workers";

export class ExportOutbox extends DurableObject<Env> {}
