// How numbers, money and times read in the dashboard.
const usd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 2,
});
const usdFine = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 4,
});
const count = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Integer micro-dollars as dollars; small amounts keep four decimals so they do not read as $0. */
export function formatMicroUsd(micro: number): string {
  const dollars = micro / 1_000_000;
  return dollars !== 0 && Math.abs(dollars) < 0.01 ? usdFine.format(dollars) : usd.format(dollars);
}

export const formatCount = (n: number) => count.format(n);
export const formatCompact = (n: number) => compact.format(n);

export function formatDate(ms: number | null | undefined): string {
  if (ms == null) return "—";
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "3 minutes ago", "in 2 days": for last-used and reset times. */
export function formatRelative(ms: number | null | undefined, now = Date.now()): string {
  if (ms == null) return "never";
  const diff = ms - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, size] of units)
    if (abs >= size) return rtf.format(Math.round(diff / size), unit);
  return diff >= 0 ? "in under a minute" : "just now";
}

/** The full date and time, for a log entry's details and tooltips. */
export function exactTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" });
}
