/**
 * JSON over fetch against parley's public APIs, relative to where the page (or widget.js) came
 * from. Errors become ApiError with the HTTP status and the message of the surface's error body
 * (GWS: errorDescription; GMS: message).
 */

let apiBase = new URL(".", location.href);

/** Where the APIs are: the page's own directory by default; widget.js sets its script's origin. */
export function setApiBase(url: string | URL): void {
  apiBase = new URL(".", url);
}

let gmsAppName: string | null = null;

/**
 * GMS's application name, the first segment of its paths (`<app>/cometd`, `<app>/1/service`,
 * `<app>/1/cs`): the server's GMS_APP_NAME, which it writes into the page's
 * `<meta name="parley-gms-app">`; "genesys" without one. widget.js sets it (setGmsApp).
 */
export function gmsApp(): string {
  gmsAppName ??= document.querySelector<HTMLMetaElement>('meta[name="parley-gms-app"]')?.content || "genesys";
  return gmsAppName;
}

/** The GMS application name for a page that does not carry the meta (widget.js on another site). */
export function setGmsApp(name: string): void {
  gmsAppName = name;
}

/** An absolute URL of a path under the API base (`api/v2/me`, `<app>/cometd`). */
export function apiUrl(path: string): string {
  return new URL(path, apiBase).toString();
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The parsed error body, when there was one. */
    readonly body: unknown,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (GMS's Chat API v1). */
  form?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One request; resolves with the parsed JSON body (or null for an empty one), rejects with ApiError or a network TypeError. */
export async function request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    accept: "application/json",
    // Tells the agent API not to answer 401 with a Basic challenge, which would make the browser prompt.
    "x-requested-with": "XMLHttpRequest",
    ...options.headers,
  };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) if (v !== undefined) params.set(k, v);
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = params.toString();
  }
  const response = await fetch(apiUrl(path), {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
    credentials: "include",
    signal: options.signal,
  });
  const text = await response.text();
  let parsed: unknown = null;
  if (text !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, errorMessage(parsed, response.statusText), parsed);
  return parsed as T;
}

function errorMessage(body: unknown, fallback: string): string {
  if (typeof body === "object" && body !== null) {
    const b = body as Record<string, unknown>;
    for (const key of ["errorDescription", "message", "statusMessage"]) {
      if (typeof b[key] === "string" && b[key] !== "") return b[key];
    }
  }
  return fallback || "Request failed";
}
