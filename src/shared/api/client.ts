/**
 * A small typed client for the operation table over HTTP (fetch). dfsctl uses it; the
 * renderer's HTTP transport can too. `ApiClient` is the interface every transport (HTTP,
 * Electron IPC, in-process inject) implements.
 */
import { ERRORS, type ErrorCode } from '../errors.ts';
import { buildHttpRequest, type OperationId, type OpInput, type OpOutput } from './operations.ts';
import type { Problem } from './schemas.ts';

export interface ApiClient {
  call<K extends OperationId>(op: K, input: OpInput<K>): Promise<OpOutput<K>>;
}

/** A failed call, carrying the server's problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: Problem['errors'];

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors;
  }

  /** One line for a terminal or a toast: the detail (which names the first invalid field) plus a few more. */
  oneLine(): string {
    const more = (this.errors ?? []).slice(1, 4).map((e) => `${e.path}: ${e.message}`);
    return more.length > 0 ? `${this.detail}; ${more.join('; ')}` : this.detail;
  }
}

/** Turns any HTTP error response into an ApiError, whether or not it is problem+json. */
export function problemFrom(status: number, body: unknown): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  const code =
    typeof b.code === 'string'
      ? b.code
      : status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : 'SERVER_FAULT';
  const title = typeof b.title === 'string' ? b.title : (ERRORS[code as ErrorCode]?.title ?? `HTTP ${status}`);
  return new ApiError({
    type: typeof b.type === 'string' ? b.type : 'about:blank',
    title,
    status,
    detail: typeof b.detail === 'string' ? b.detail : title,
    code,
    errors: Array.isArray(b.errors) ? b.errors : undefined,
  });
}

export interface HttpClientOptions {
  /** e.g. http://127.0.0.1:8080 (without /api/v1). */
  baseUrl: string;
  /** The current access token, if any. */
  getAccessToken?: () => string | undefined | Promise<string | undefined>;
  /**
   * Called once when a call fails with 401: refresh the tokens and resolve true to retry
   * the call with the new access token.
   */
  onUnauthorized?: () => Promise<boolean>;
  fetch?: typeof fetch;
}

export function createHttpClient(opts: HttpClientOptions): ApiClient {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function once<K extends OperationId>(
    op: K,
    input: OpInput<K>,
  ): Promise<{ ok: true; value: OpOutput<K> } | { ok: false; error: ApiError }> {
    const req = buildHttpRequest(op, input);
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = await opts.getAccessToken?.();
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(base + req.url, {
        method: req.method,
        headers,
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      return {
        ok: false,
        error: new ApiError({
          type: 'about:blank',
          title: 'Server unreachable',
          status: 0,
          code: 'UNREACHABLE',
          detail: `cannot reach ${base} (${cause})`,
        }),
      };
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (!res.ok) return { ok: false, error: problemFrom(res.status, body) };
    return { ok: true, value: body as OpOutput<K> };
  }

  return {
    async call(op, input) {
      let r = await once(op, input);
      if (!r.ok && r.error.status === 401 && opts.onUnauthorized && op !== 'auth.login' && op !== 'auth.refresh') {
        if (await opts.onUnauthorized()) r = await once(op, input);
      }
      if (!r.ok) throw r.error;
      return r.value;
    },
  };
}

/** Reads a JWT's payload without verifying it (to know when to refresh). */
export function peekJwt(token: string): { exp?: number; iat?: number; sub?: string } | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { exp?: number };
  } catch {
    return undefined;
  }
}
