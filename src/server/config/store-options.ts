/** A store's backend options checked against its schema, refused with a sentence naming the option. */
import type { z } from 'zod';
import { DittoError } from '../../shared/errors.ts';

export function parseStoreOptions<S extends z.ZodType>(schema: S, options: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(options);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || 'config';
  const why =
    issue.code === 'unrecognized_keys'
      ? `unknown option ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : issue.code === 'invalid_type' && issue.input === undefined
        ? 'missing'
        : issue.message;
  throw new DittoError('VALIDATION', `${what} option ${field}: ${why}.`);
}
