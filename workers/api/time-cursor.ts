// The cursor of every newest-first (or oldest-first) list keyed by a time and an id: the logs,
// the audit log, dead letters. Opaque to clients; a cursor this API did not give out is a 400.
import { badRequest } from "../errors";

export interface TimePosition {
  at: number;
  id: string;
}

export function encodeTimeCursor({ at, id }: TimePosition): string {
  return btoa(`${at}:${id}`);
}

export function decodeTimeCursor(cursor: string): TimePosition {
  try {
    const text = atob(cursor);
    // Only the first colon separates: the id is the rest, whatever it holds.
    const colon = text.indexOf(":");
    const at = Number(text.slice(0, colon));
    const id = text.slice(colon + 1);
    if (colon > 0 && Number.isSafeInteger(at) && id) return { at, id };
  } catch {
    // fall through to the error below
  }
  throw badRequest("cursor: not a cursor this API gave out.");
}
