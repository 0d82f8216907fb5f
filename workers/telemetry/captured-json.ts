// Content kept for people to read later (MCP tool arguments and results, LLM prompts and
// completions): redacted like the audit log, then capped. A value too long to keep whole is
// kept as a marked preview, so what is stored always says whether it is complete.
import { redact } from "../audit/redact";

const PREVIEW_CHARS = 2048;

/** `value` redacted as JSON text of at most `maxChars` characters; null for nothing. */
export function cappedRedactedJson(value: unknown, maxChars: number): string | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(redact(value));
  if (text.length <= maxChars) return text;
  return JSON.stringify({
    truncated: true,
    characters: text.length,
    preview: text.slice(0, Math.min(PREVIEW_CHARS, maxChars)),
  });
}
