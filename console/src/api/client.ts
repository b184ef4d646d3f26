// The API client: same-origin fetch with the session cookie, the session's CSRF token on every call that
// changes something, and the API's error body turned into an ApiError that names the field at fault.

export interface ItemProblem {
  field: string;
  key: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string;
  readonly items: ItemProblem[];
  constructor(status: number, code: string, message: string, field = '', items: ItemProblem[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.items = items;
  }
}

const CSRF_KEY = 'wharf.csrf';

// Kept in localStorage so that a reload or a second tab can still change things; the cookie itself is
// HttpOnly and SameSite=Strict.
export function setCsrfToken(token: string | null): void {
  if (token) localStorage.setItem(CSRF_KEY, token);
  else localStorage.removeItem(CSRF_KEY);
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
// Called when any call answers 401: the session ended (idle, logged out elsewhere, password changed).
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; field?: string; items?: ItemProblem[] };
    };
    const e = body.error ?? {};
    return new ApiError(res.status, e.code ?? 'internal', e.message ?? res.statusText, e.field ?? '', e.items ?? []);
  } catch {
    return new ApiError(res.status, 'internal', `${res.status} ${res.statusText}`);
  }
}

export async function request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = localStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'unavailable', (e as Error).message);
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && path !== '/api/v1/login') unauthorizedListeners.forEach((l) => l());
    throw err;
  }
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await request(method, path, body, signal);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export const enc = encodeURIComponent;
export const appEnvPath = (project: string, app: string, env: string) =>
  `/api/v1/projects/${enc(project)}/apps/${enc(app)}/environments/${enc(env)}`;
