/** dfsctl option parsers and the helpers that turn options into request bodies. */
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.ts';

export function intArg(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
}

/** For repeatable options: gathers every value in a list. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** key=value pairs; the value is parsed as JSON when it can be (numbers, booleans), else kept as text. */
export function kv(pairs: string[] | undefined): Record<string, unknown> | undefined {
  if (!pairs) return undefined;
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`expected key=value, got "${p}"`);
    out[p.slice(0, i)] = jsonOrText(p.slice(i + 1));
  }
  return out;
}

export function jsonOrText(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Drops undefined fields so PATCH bodies carry only what was given. */
export function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** --enable / --disable flag pair to an `enabled` field (undefined when neither was given). */
export function enabledFlag(o: { enable?: boolean; disable?: boolean }): boolean | undefined {
  return o.enable ? true : o.disable ? false : undefined;
}
