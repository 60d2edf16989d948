import type { z } from 'zod';
import { ApiError } from '../../shared/api/index.ts';

export type FieldErrors = Record<string, string>;

/** Runs a shared schema; returns the parsed value or one message per field path ("a.b"). */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    errors[key] ??= sentence(issue.message);
  }
  return { ok: false, errors };
}

/** "expected at least 8 characters" -> "Expected at least 8 characters." */
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const cap = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(cap) ? cap : `${cap}.`;
}

/**
 * The server's problem details in words, plus its field errors keyed like check()'s. The
 * message is the detail (the title only when there is none): never "Conflict: ...".
 */
export function explain(err: unknown): { message: string; fields: FieldErrors } {
  if (err instanceof ApiError) {
    const fields: FieldErrors = {};
    for (const e of err.errors ?? []) {
      const key = e.path.replace(/^(body|params|query)[./]?/, '').replace(/\//g, '.') || '_';
      fields[key] ??= sentence(e.message);
    }
    let detail = err.detail && err.detail !== err.title ? err.detail : '';
    // "currentPassword: the current password is wrong": a field named in the detail.
    const named = /^([A-Za-z][\w.]*): (.+)$/s.exec(detail);
    if (named) {
      fields[named[1] as string] ??= sentence(named[2] as string);
      detail = named[2] as string;
    }
    let message = sentence(detail || err.title);
    if (err.status === 0) message = `Cannot reach the server. ${sentence(err.detail)}`;
    return { message, fields };
  }
  return { message: err instanceof Error ? sentence(err.message) : 'Something went wrong.', fields: {} };
}
