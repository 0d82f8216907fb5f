// The dashboard's one way to call /api: same origin, session cookie, JSON in and out. Errors
// arrive in Anthropic's shape; they become an ApiError whose message is fit to show a person.
import type { ApiErrorBody } from "../../../shared/api-types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== "") params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Signals the app shell that the session is gone, so it can show the sign-in page. */
export const SIGNED_OUT_EVENT = "gatehouse:signed-out";

interface Options {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
}

async function request<T>(method: string, path: string, options: Options = {}): Promise<T> {
  const { body, query } = options;
  let res: Response;
  try {
    res = await fetch(withQuery(`/api${path}`, query), {
      method,
      credentials: "same-origin",
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "The gateway cannot be reached. Check your connection and try again.");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as ApiErrorBody | undefined)?.error;
    if (res.status === 401 && path !== "/auth/login")
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    throw new ApiError(
      res.status,
      err?.message ?? `The gateway answered ${res.status} ${res.statusText || ""}`.trim(),
      err?.fields ?? [],
    );
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, { query }),
  post: <T>(path: string, body: unknown = {}, headers?: Record<string, string>) =>
    request<T>("POST", path, { body, headers }),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, { body }),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, { body }),
  delete: (path: string) => request<void>("DELETE", path),
};

/** A message to show for any thrown value: never a raw object. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return "Something went wrong. Try again.";
}
