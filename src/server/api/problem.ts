/**
 * Errors as RFC 9457 problem details with the registry code. Details never echo request
 * values: validation problems name the fields, parse errors say only that the body is not
 * JSON (Node's JSON messages quote the input, which may hold a password).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Problem } from '../../shared/api/schemas.ts';
import { ERRORS, isDittoError, type ErrorCode } from '../../shared/errors.ts';
import { RateLimitedError } from '../auth/tokens.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(code: ErrorCode, detail?: string, errors?: Problem['errors']): Problem {
  const e = ERRORS[code];
  return {
    type: `urn:dittofs:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: e.title,
    status: e.http,
    detail: detail ?? e.title,
    code,
    ...(errors && errors.length > 0 && { errors }),
  };
}

/** A zod failure of one request part ('params', 'query', 'body'). */
export class RequestValidationError extends Error {
  constructor(
    readonly part: string,
    readonly error: z.ZodError,
  ) {
    super(`invalid ${part}`);
  }
}

export function validationProblem(err: RequestValidationError): Problem {
  const errors = err.error.issues.slice(0, 20).map((i) => ({
    path: [err.part, ...i.path.map(String)].join('.'),
    // An unknown key may be anything pasted in the wrong place (a password): never echo it.
    message:
      i.code === 'unrecognized_keys'
        ? `unknown field${i.keys.length > 1 ? 's' : ''} (${i.keys.length}): see the API schema`
        : i.message,
  }));
  // "name: use at most 80 characters": the field (without the request part) and why.
  const first = errors[0];
  const field = first?.path.replace(/^(body|params|query)\.?/, '');
  const detail = first ? (field ? `${field}: ${first.message}` : first.message) : 'the request is not valid';
  return problem('VALIDATION', detail, errors);
}

interface FastifyishError {
  statusCode?: number;
  code?: string;
  validation?: unknown;
}

/** Maps anything thrown by a route to a problem (and whether it is a server fault to log). */
export function toProblem(err: unknown): { problem: Problem; fault: boolean } {
  if (err instanceof RequestValidationError) return { problem: validationProblem(err), fault: false };
  if (isDittoError(err)) {
    if (err.code === 'SERVER_FAULT' || err.code === 'IO')
      return { problem: problem(err.code, 'internal error'), fault: true };
    return { problem: problem(err.code, err.message), fault: false };
  }
  const f = err as FastifyishError;
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    switch (f.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return {
          problem: {
            ...problem('VALIDATION', 'the request must be JSON (content-type: application/json)'),
            status: 415,
          },
          fault: false,
        };
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { problem: { ...problem('VALIDATION', 'the request is too large'), status: 413 }, fault: false };
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return { problem: problem('VALIDATION', 'the request is empty'), fault: false };
      default:
        // Invalid JSON and the like: the message would quote the body.
        return { problem: problem('VALIDATION', 'the request is not valid JSON'), fault: false };
    }
  }
  return { problem: problem('SERVER_FAULT', 'internal error'), fault: true };
}

export function sendProblem(reply: FastifyReply, p: Problem, retryAfterSeconds?: number): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="dittofs"');
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

export function retryAfterOf(err: unknown): number | undefined {
  return err instanceof RateLimitedError ? err.retryAfterSeconds : undefined;
}
