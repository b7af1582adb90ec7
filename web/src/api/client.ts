// The one way the dashboard talks to the server: GET, PUT, POST and DELETE under /api/v1 with the session's
// bearer token. Every failure becomes an ApiError carrying the server's {"error": {code,
// message}}; a 401 also tells the app (onUnauthorized), which sends the user back to the login
// page with the server's message.

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export class ApiError extends Error {
  readonly status: number; // 0: the server did not answer
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

// "?a=1&b=x%2Fy" from the parameters that have a value (null, undefined and "" are left out),
// in the order given; "" when none has.
export function buildQuery(query: Query = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export interface ClientOptions {
  token: () => string | null;
  onUnauthorized?: (message: string) => void;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  // Another token than the session's (the login page checks one before keeping it).
  token?: string;
  signal?: AbortSignal;
}

export class ApiClient {
  private readonly options: ClientOptions;

  constructor(options: ClientOptions) {
    this.options = options;
  }

  get<T>(path: string, query?: Query, request: RequestOptions = {}): Promise<T> {
    return this.send<T>('GET', path + buildQuery(query), undefined, request);
  }

  put<T>(path: string, body: unknown, request: RequestOptions = {}): Promise<T> {
    return this.send<T>('PUT', path, JSON.stringify(body), request);
  }

  post<T>(path: string, body: unknown, request: RequestOptions = {}): Promise<T> {
    return this.send<T>('POST', path, JSON.stringify(body), request);
  }

  delete(path: string, request: RequestOptions = {}): Promise<void> {
    return this.send<void>('DELETE', path, undefined, request);
  }

  private async send<T>(
    method: string,
    target: string,
    body: string | undefined,
    request: RequestOptions,
  ): Promise<T> {
    const token = request.token ?? this.options.token();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(target, { method, headers, body, signal: request.signal });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'network', 'the server did not answer');
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const error = errorOf(response.status, parsed);
      // Only the session's own token ends the session; a login attempt reports its own 401.
      if (response.status === 401 && request.token === undefined) {
        this.options.onUnauthorized?.(error.message);
      }
      throw error;
    }
    if (response.status === 204) return undefined as T;
    if (parsed === undefined) {
      throw new ApiError(response.status, 'bad_response', 'the server answered something not JSON');
    }
    return parsed as T;
  }
}

function errorOf(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const inner = (body as { error: unknown }).error;
    if (typeof inner === 'object' && inner !== null) {
      const { code, message } = inner as { code?: unknown; message?: unknown };
      if (typeof message === 'string') {
        return new ApiError(status, typeof code === 'string' ? code : 'error', message);
      }
    }
  }
  return new ApiError(status, 'error', `HTTP status ${status}`);
}
