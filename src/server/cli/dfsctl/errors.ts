/**
 * dfsctl failures: one line on standard error and an exit code.
 *
 * Exit codes: 0 success, 1 the server refused or failed (one line from its problem
 * detail), 2 bad usage.
 */
import { ApiError } from '../../../shared/api/client.ts';

export const EXIT_API = 1;
export const EXIT_USAGE = 2;

/** A mistake on the command line: exits with EXIT_USAGE. */
export class UsageError extends Error {}

export function fail(err: unknown): never {
  if (err instanceof ApiError) {
    process.stderr.write(`dfsctl: ${err.oneLine()} (${err.code})\n`);
    process.exit(EXIT_API);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`dfsctl: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`dfsctl: ${(err as Error).message ?? String(err)}\n`);
  process.exit(EXIT_API);
}

/** Wraps a command action so that whatever it throws ends the process through fail(). */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err);
    }
  };
}
