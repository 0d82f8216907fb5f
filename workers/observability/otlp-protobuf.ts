// OTLP/protobuf encoding of the model: a minimal protobuf writer (varint, fixed64, double,
// length-delimited) for exactly ExportTraceServiceRequest and ExportMetricsServiceRequest, with
// the field numbers of opentelemetry-proto. Hand-rolled so the Worker bundle carries no
// protobuf library; tests decode its output with the official generated definitions.
import type {
  HistogramDataPoint,
  MetricsRequest,
  NumberDataPoint,
  OtlpAttribute,
  OtlpMetric,
  OtlpResource,
  OtlpScope,
  OtlpSpan,
  OtlpValue,
  ResourceMetrics,
  ResourceSpans,
  TraceRequest,
} from "./otlp-model";

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;

/** Length prefixes are reserved at this many bytes, then the gap is closed (lengths < 2^35). */
const LENGTH_RESERVE = 5;

class Writer {
  #buf = new Uint8Array(1024);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;
  readonly #text = new TextEncoder();

  #ensure(extra: number): void {
    if (this.#pos + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  #varint(value: bigint | number): void {
    this.#ensure(10);
    if (typeof value === "number" && value >= 0 && Number.isSafeInteger(value)) {
      // The common case (tags, lengths, counts) without BigInt arithmetic.
      let v = value;
      while (v > 0x7f) {
        this.#buf[this.#pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.#buf[this.#pos++] = v;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.#buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#pos++] = Number(v);
  }

  #tag(field: number, wire: number): void {
    this.#varint((field << 3) | wire);
  }

  uint(field: number, value: number): this {
    this.#tag(field, VARINT);
    this.#varint(value);
    return this;
  }

  /** int64 and int32 (two's complement for negatives, as protobuf does). */
  int(field: number, value: number): this {
    this.#tag(field, VARINT);
    const v = Math.trunc(value);
    this.#varint(v < 0 ? BigInt(v) : v);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  fixed64(field: number, value: bigint | number | string): this {
    this.#tag(field, FIXED64);
    this.#rawFixed64(value);
    return this;
  }

  #rawFixed64(value: bigint | number | string): void {
    this.#ensure(8);
    this.#view.setBigUint64(this.#pos, BigInt.asUintN(64, BigInt(value)), true);
    this.#pos += 8;
  }

  #rawDouble(value: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, value, true);
    this.#pos += 8;
  }

  double(field: number, value: number): this {
    this.#tag(field, FIXED64);
    this.#rawDouble(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, LENGTH_DELIMITED);
    this.#varint(value.length);
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, this.#text.encode(value));
  }

  /** A hex id as raw bytes. */
  hex(field: number, value: string): this {
    const out = new Uint8Array(value.length / 2);
    for (let i = 0; i < out.length; i++)
      out[i] = Number.parseInt(value.slice(i * 2, i * 2 + 2), 16);
    return this.bytes(field, out);
  }

  packedFixed64(field: number, values: readonly number[]): this {
    this.#tag(field, LENGTH_DELIMITED);
    this.#varint(values.length * 8);
    for (const v of values) this.#rawFixed64(v);
    return this;
  }

  packedDouble(field: number, values: readonly number[]): this {
    this.#tag(field, LENGTH_DELIMITED);
    this.#varint(values.length * 8);
    for (const v of values) this.#rawDouble(v);
    return this;
  }

  /** A nested message: `write` fills it, then its length prefix is set. */
  message(field: number, write: (w: this) => void): this {
    this.#tag(field, LENGTH_DELIMITED);
    this.#ensure(LENGTH_RESERVE);
    const lengthAt = this.#pos;
    this.#pos += LENGTH_RESERVE;
    write(this);
    const start = lengthAt + LENGTH_RESERVE;
    const length = this.#pos - start;
    const prefix = varintBytes(length);
    this.#buf.copyWithin(lengthAt + prefix.length, start, this.#pos);
    this.#buf.set(prefix, lengthAt);
    this.#pos = lengthAt + prefix.length + length;
    return this;
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

// common.v1.AnyValue: string 1, bool 2, int 3, double 4, array 5 (ArrayValue.values 1).
function anyValue(w: Writer, value: OtlpValue): void {
  switch (value.kind) {
    case "string":
      w.string(1, value.value);
      return;
    case "bool":
      w.bool(2, value.value);
      return;
    case "int":
      w.int(3, value.value);
      return;
    case "double":
      w.double(4, value.value);
      return;
    case "array":
      w.message(5, (array) => {
        for (const v of value.values) array.message(1, (item) => anyValue(item, v));
      });
      return;
  }
}

// common.v1.KeyValue: key 1, value 2.
function attributes(w: Writer, field: number, list: readonly OtlpAttribute[]): void {
  for (const a of list) {
    w.message(field, (kv) => {
      kv.string(1, a.key);
      kv.message(2, (v) => anyValue(v, a.value));
    });
  }
}

// resource.v1.Resource: attributes 1.
function resource(w: Writer, r: OtlpResource): void {
  w.message(1, (m) => attributes(m, 1, r.attributes));
}

// common.v1.InstrumentationScope: name 1, version 2.
function scope(w: Writer, s: OtlpScope): void {
  w.message(1, (m) => m.string(1, s.name).string(2, s.version));
}

// trace.v1.Span: trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, start 7, end 8,
// attributes 9, status 15 (message 2, code 3).
function span(w: Writer, s: OtlpSpan): void {
  w.hex(1, s.traceId).hex(2, s.spanId);
  if (s.parentSpanId) w.hex(4, s.parentSpanId);
  w.string(5, s.name).int(6, s.kind);
  w.fixed64(7, s.startTimeUnixNano).fixed64(8, s.endTimeUnixNano);
  attributes(w, 9, s.attributes);
  w.message(15, (status) => {
    if (s.status.message) status.string(2, s.status.message);
    status.int(3, s.status.code);
  });
}

// collector.trace.v1.ExportTraceServiceRequest: resource_spans 1 → ResourceSpans: resource 1,
// scope_spans 2 → ScopeSpans: scope 1, spans 2.
function resourceSpans(w: Writer, rs: ResourceSpans): void {
  resource(w, rs.resource);
  for (const ss of rs.scopeSpans) {
    w.message(2, (m) => {
      scope(m, ss.scope);
      for (const s of ss.spans) m.message(2, (sp) => span(sp, s));
    });
  }
}

// metrics.v1.NumberDataPoint: start 2, time 3, as_double 4, as_int 6 (sfixed64), attributes 7.
function numberPoint(w: Writer, p: NumberDataPoint): void {
  w.fixed64(2, p.startTimeUnixNano).fixed64(3, p.timeUnixNano);
  if (p.value.kind === "int") w.fixed64(6, p.value.value);
  else w.double(4, p.value.value);
  attributes(w, 7, p.attributes);
}

// metrics.v1.HistogramDataPoint: start 2, time 3, count 4, sum 5, bucket_counts 6 (packed
// fixed64), explicit_bounds 7 (packed double), attributes 9, min 11, max 12.
function histogramPoint(w: Writer, p: HistogramDataPoint): void {
  w.fixed64(2, p.startTimeUnixNano).fixed64(3, p.timeUnixNano);
  w.fixed64(4, p.count).double(5, p.sum);
  w.packedFixed64(6, p.bucketCounts).packedDouble(7, p.explicitBounds);
  attributes(w, 9, p.attributes);
  w.double(11, p.min).double(12, p.max);
}

// metrics.v1.Metric: name 1, description 2, unit 3, sum 7 (data_points 1, temporality 2,
// is_monotonic 3), histogram 9 (data_points 1, temporality 2).
function metric(w: Writer, m: OtlpMetric): void {
  w.string(1, m.name).string(2, m.description).string(3, m.unit);
  if ("sum" in m) {
    w.message(7, (sum) => {
      for (const p of m.sum.dataPoints) sum.message(1, (dp) => numberPoint(dp, p));
      sum.int(2, m.sum.aggregationTemporality).bool(3, m.sum.isMonotonic);
    });
    return;
  }
  w.message(9, (histogram) => {
    for (const p of m.histogram.dataPoints) histogram.message(1, (dp) => histogramPoint(dp, p));
    histogram.int(2, m.histogram.aggregationTemporality);
  });
}

// collector.metrics.v1.ExportMetricsServiceRequest: resource_metrics 1 → ResourceMetrics:
// resource 1, scope_metrics 2 → ScopeMetrics: scope 1, metrics 2.
function resourceMetrics(w: Writer, rm: ResourceMetrics): void {
  resource(w, rm.resource);
  for (const sm of rm.scopeMetrics) {
    w.message(2, (m) => {
      scope(m, sm.scope);
      for (const metricOf of sm.metrics) m.message(2, (mm) => metric(mm, metricOf));
    });
  }
}

export function traceRequestProtobuf(request: TraceRequest): Uint8Array {
  const w = new Writer();
  for (const rs of request.resourceSpans) w.message(1, (m) => resourceSpans(m, rs));
  return w.finish();
}

export function metricsRequestProtobuf(request: MetricsRequest): Uint8Array {
  const w = new Writer();
  for (const rm of request.resourceMetrics) w.message(1, (m) => resourceMetrics(m, rm));
  return w.finish();
}
