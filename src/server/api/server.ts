/**
 * The management API: one fastify instance whose routes are generated from the operation
 * table. Served over HTTP at /api/v1 (startApiServer) and callable in-process through
 * `app.inject` (the Electron utility process runs the very same routes; see inject.ts).
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  API_PREFIX,
  OPERATIONS,
  roleAllows,
  type OperationDef,
  type OperationId,
  type OpRole,
} from '../../shared/api/operations.ts';
import { DittoError } from '../../shared/errors.ts';
import type { TokenClaims } from '../auth/tokens.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { User } from '../controlplane/models.ts';
import { HANDLERS, type Ctx, type Handler } from './handlers.ts';
import { buildOpenApi } from './openapi.ts';
import { problem, RequestValidationError, retryAfterOf, sendProblem, toProblem } from './problem.ts';
import { registerEvents } from './sse.ts';
import { registerWebUi } from './static.ts';

export interface ApiOptions {
  /** Called after every API request (metrics). */
  onRequest?: (op: string, status: number, seconds: number) => void;
  logger?: Logger;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The operation id of the route (for logs and metrics). */
    op?: string;
  }
}

export interface Principal {
  user: User;
  claims: TokenClaims;
}

/** The bearer token of a request (header), if any. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** Authenticates and authorizes a request for an operation needing `role`. */
export async function authorize(
  runtime: Runtime,
  token: string | undefined,
  role: OpRole,
  allowPendingPasswordChange = false,
): Promise<Principal> {
  if (!token) throw new DittoError('UNAUTHENTICATED', 'sign in first (no access token was sent)');
  const principal = await runtime.auth.authenticate(token);
  const { user } = principal;
  if (role !== 'public' && !roleAllows(user.role, role))
    throw new DittoError('FORBIDDEN', `only ${role === 'admin' ? 'an admin' : `an ${role}`} may do this`);
  if (user.mustChangePassword && !allowPendingPasswordChange) {
    throw new DittoError('PASSWORD_CHANGE_REQUIRED', 'change your password first (POST /api/v1/auth/password)');
  }
  return principal;
}

export function parsePart<T extends z.ZodType>(part: string, schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new RequestValidationError(part, r.error);
  return r.data;
}

export function buildApi(runtime: Runtime, opts: ApiOptions = {}): FastifyInstance {
  const logger = (opts.logger ?? runtime.logger).child({ component: 'api' });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Requests are logged by the onResponse hook below, without query strings (tokens).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    return503OnClosing: true,
    // Share names are paths of up to 255 characters, percent-encoded in the URL.
    routerOptions: { maxParamLength: 1024 },
    // Router-level failures (bad URL encoding, over-long parameters) as problems too, without echoing the URL.
    frameworkErrors: (err, _req, reply) => {
      const long = (err as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
      const p = problem('VALIDATION', long ? 'a path parameter is too long' : 'malformed URL');
      return sendProblem(reply, long ? { ...p, status: 414 } : p);
    },
  });

  app.setErrorHandler((err, req, reply) => {
    const { problem: p, fault } = toProblem(err);
    if (fault)
      req.log.error(
        { err: (err as Error).message, stack: (err as Error).stack, op: req.routeOptions.config.op },
        'request failed',
      );
    return sendProblem(reply, p, retryAfterOf(err));
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    return sendProblem(reply, problem('NOT_FOUND', `no such endpoint: ${req.method} ${path}`));
  });

  app.addHook('onResponse', (req, reply, done) => {
    const op = req.routeOptions.config.op ?? 'unknown';
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    opts.onRequest?.(op, status, ms / 1000);
    const level = status >= 500 ? 'error' : req.method === 'GET' ? 'debug' : 'info';
    req.log[level](
      { op, method: req.method, route: req.routeOptions.url, status, ms: Math.round(ms * 10) / 10, ip: req.ip },
      'api request',
    );
    done();
  });

  const route = (url: string, id: OperationId) => {
    const def: OperationDef = OPERATIONS[id];
    const handler = HANDLERS[id] as Handler<OperationId>;
    app.route({
      method: def.method,
      url,
      config: { op: id },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        let user: User | undefined;
        if (def.role !== 'public')
          user = (await authorize(runtime, bearerToken(req), def.role, def.allowPendingPasswordChange)).user;
        let status: number = def.status ?? 200;
        const ctx = {
          runtime,
          user,
          ip: req.ip,
          params: def.params ? parsePart('params', def.params, req.params) : undefined,
          query: def.query ? parsePart('query', def.query, req.query) : undefined,
          body: def.body ? parsePart('body', def.body, req.body) : undefined,
          setStatus: (code: number) => {
            status = code;
          },
        } as Ctx<OperationId>;
        const result = await handler(ctx);
        if (status === 204) return reply.code(204).send();
        const out = def.response.safeParse(result);
        if (!out.success) {
          req.log.error(
            { op: id, issues: out.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
            'response does not match its schema',
          );
          throw new DittoError('SERVER_FAULT', 'response does not match its schema');
        }
        return reply.code(status).send(out.data);
      },
    });
  };

  for (const id of Object.keys(OPERATIONS) as OperationId[]) route(API_PREFIX + OPERATIONS[id].path, id);
  // Probes also answer at the root, where load balancers and supervisors look.
  route('/health', 'health.live');
  route('/health/ready', 'health.ready');

  let openapi: Record<string, unknown> | undefined;
  app.get(`${API_PREFIX}/openapi.json`, { config: { op: 'openapi' } }, async (_req, reply) => {
    openapi ??= buildOpenApi();
    return reply.send(openapi);
  });

  registerEvents(app, runtime);
  registerWebUi(app);
  return app;
}

export interface ApiServer {
  app: FastifyInstance;
  port: number;
  close(): Promise<void>;
}

/** Builds the API and listens on bind:port (127.0.0.1 by default; port 0 picks a free one). */
export async function startApiServer(
  runtime: Runtime,
  bind: string,
  port: number,
  opts: ApiOptions = {},
): Promise<ApiServer> {
  const app = buildApi(runtime, opts);
  await app.listen({ host: bind, port });
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return { app, port: bound, close: () => app.close() };
}
