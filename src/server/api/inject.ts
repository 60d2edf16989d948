/**
 * The API in-process: an ApiClient that runs operations through `app.inject`, i.e. the
 * very same routes (auth, validation, handlers, problem details) as HTTP, without a socket.
 * The Electron utility process uses it to serve `api.call(op, params)`.
 */
import type { FastifyInstance } from 'fastify';
import { problemFrom, type ApiClient } from '../../shared/api/client.ts';
import { buildHttpRequest, type OperationId, type OpInput, type OpOutput } from '../../shared/api/operations.ts';

export interface InjectResult {
  status: number;
  body: unknown;
}

/** Runs one operation; resolves with the status and parsed body whether it failed or not. */
export async function injectOperation<K extends OperationId>(
  app: FastifyInstance,
  op: K,
  input: OpInput<K>,
  token?: string,
): Promise<InjectResult> {
  const req = buildHttpRequest(op, input);
  const res = await app.inject({
    method: req.method,
    url: req.url,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(req.body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(req.body !== undefined && { payload: JSON.stringify(req.body) }),
    remoteAddress: '127.0.0.1',
  });
  let body: unknown = undefined;
  if (res.body) {
    try {
      body = JSON.parse(res.body);
    } catch {
      body = res.body;
    }
  }
  return { status: res.statusCode, body };
}

export function createInjectClient(
  app: FastifyInstance,
  getToken: () => string | undefined | Promise<string | undefined>,
): ApiClient {
  return {
    async call<K extends OperationId>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
      const r = await injectOperation(app, op, input, await getToken());
      if (r.status >= 400) throw problemFrom(r.status, r.body);
      return r.body as OpOutput<K>;
    },
  };
}
