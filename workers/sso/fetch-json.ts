// The one way single sign-on fetches from an identity provider or Cloudflare Access: a safe URL
// (https, or http on loopback), a time limit, no redirects followed, a size cap, JSON only.
// Failures are FetchJsonError with a reason fit for an admin or an audit entry; response bodies
// are never copied into it, since a token endpoint's body can hold tokens.
import { safeFetchUrl } from "./urls";

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 512 * 1024;

export class FetchJsonError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    /** An OAuth `error` code from the body, when there was one. */
    readonly oauthError?: string,
  ) {
    super(message);
  }
}

export async function fetchJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const target = safeFetchUrl(url);
  if (!target) throw new FetchJsonError(`${url} is not an https URL (http only on loopback).`);
  let res: Response;
  try {
    res = await fetch(target, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { accept: "application/json", ...init.headers },
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === "TimeoutError";
    throw new FetchJsonError(
      timedOut ? `${target.origin} did not answer in time.` : `${target.origin} is unreachable.`,
    );
  }
  const text = await readCapped(res);
  let body: unknown;
  try {
    body = text === null ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const oauthError = oauthErrorCode(body);
    const suffix = oauthError ? ` (${oauthError})` : "";
    throw new FetchJsonError(
      `${target.origin}${target.pathname} answered HTTP ${res.status}${suffix}.`,
      res.status,
      oauthError,
    );
  }
  if (body === undefined) {
    throw new FetchJsonError(`${target.origin}${target.pathname} did not answer with JSON.`);
  }
  return body;
}

async function readCapped(res: Response): Promise<string | null> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_BYTES) {
    await res.body?.cancel();
    return null;
  }
  const text = await res.text();
  return text.length > MAX_BYTES ? null : text;
}

function oauthErrorCode(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const code = body.error;
  // Only a short token-like code, never free text from the server.
  return typeof code === "string" && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
}
