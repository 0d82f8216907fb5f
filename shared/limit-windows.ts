// Limit windows. Rolling windows (minute, hour) are kept as 60 buckets; calendar windows
// (day, week starting Monday, month) start at local midnight in the organisation's time zone.

export type LimitWindow = "minute" | "hour" | "day" | "week" | "month";

const ROLLING_MS: Partial<Record<LimitWindow, number>> = { minute: 60_000, hour: 3_600_000 };
export const ROLLING_BUCKETS = 60;

/** Length of a rolling window, or undefined for calendar windows. */
export function rollingMs(window: LimitWindow): number | undefined {
  return ROLLING_MS[window];
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Monday
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(ts: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(ts)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
  };
}

/** The instant of local midnight on the given local date, in the zone. */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  // Start from UTC midnight of that date and correct by the zone's offset; a second pass
  // settles dates where the offset itself changes (DST) around midnight.
  let guess = Date.UTC(year, month - 1, day);
  for (let i = 0; i < 2; i++) {
    const p = localParts(guess, timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess -= asUtc - Date.UTC(year, month - 1, day);
  }
  return guess;
}

/** [start, end) of the calendar window holding `now`. */
export function calendarWindow(window: LimitWindow, now: number, timeZone: string) {
  const p = localParts(now, timeZone);
  if (window === "day") {
    const start = localMidnight(p.year, p.month, p.day, timeZone);
    const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
    return {
      start,
      end: localMidnight(
        next.getUTCFullYear(),
        next.getUTCMonth() + 1,
        next.getUTCDate(),
        timeZone,
      ),
    };
  }
  if (window === "week") {
    const monday = new Date(Date.UTC(p.year, p.month - 1, p.day - p.weekday));
    const nextMonday = new Date(Date.UTC(p.year, p.month - 1, p.day - p.weekday + 7));
    return {
      start: localMidnight(
        monday.getUTCFullYear(),
        monday.getUTCMonth() + 1,
        monday.getUTCDate(),
        timeZone,
      ),
      end: localMidnight(
        nextMonday.getUTCFullYear(),
        nextMonday.getUTCMonth() + 1,
        nextMonday.getUTCDate(),
        timeZone,
      ),
    };
  }
  const nextMonth = new Date(Date.UTC(p.year, p.month, 1));
  return {
    start: localMidnight(p.year, p.month, 1, timeZone),
    end: localMidnight(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1, 1, timeZone),
  };
}
