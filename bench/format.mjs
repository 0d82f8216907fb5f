// Figures as the bench's reports print them, one definition for every part.

/** Milliseconds with the precision their size deserves. @param {number} v */
export function ms(v) {
  const a = Math.abs(v);
  return v.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0);
}

/** "+1.23" or "−1.23" (a real minus sign); "n/a" for a missing figure. @param {number | null | undefined} v */
export function signed(v) {
  if (v === undefined || v === null || Number.isNaN(v)) return "n/a";
  return `${v < 0 ? "−" : "+"}${ms(Math.abs(v))}`;
}

/** An added time: "+1.23 ms", or "n/a". @param {number | null | undefined} v */
export function addedMs(v) {
  return v === undefined || v === null || Number.isNaN(v) ? "n/a" : `${signed(v)} ms`;
}

/** A time: "1.23 ms", or "n/a". @param {number | null | undefined} v */
export function plainMs(v) {
  return v === undefined || v === null || Number.isNaN(v) ? "n/a" : `${ms(v)} ms`;
}

/** "a 12, b 3", largest first. @param {Record<string, number>} parts @param {number} [digits] */
export function breakdown(parts, digits = 0) {
  return Object.entries(parts)
    .sort((a, b) => b[1] - a[1])
    .map(([name, v]) => `${name} ${v.toFixed(digits)}`)
    .join(", ");
}

/** A Markdown table, columns padded to their widest cell. @param {string[]} header @param {string[][]} rows */
export function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  /** @param {string[]} cells */
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * @template V, W
 * @param {Record<string, V>} record
 * @param {(v: V) => W} f
 * @returns {Record<string, W>}
 */
export function mapValues(record, f) {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/** A logger that stamps each line with the seconds since `start`. @param {number} start */
export function logSince(start) {
  /** @param {string} message */
  return (message) => {
    const seconds = ((Date.now() - start) / 1000).toFixed(0).padStart(3);
    console.log(`[${seconds}s] ${message}`);
  };
}
