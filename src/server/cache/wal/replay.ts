/**
 * Recovery: what the log holds that the block store may not, as runs of logged bytes per
 * file, served from the log and carved like spilled slices (docs/write-log.md "Recovery"):
 * every byte a client was told is stable is readable before the server answers anyone, and
 * nothing is copied before it serves.
 *
 * The log may still hold records already carved, so recovery must be idempotent and must not
 * undo what came after a record: each payload's records are read newest first and a write
 * keeps only the bytes no later record covers — a later write, a truncate (applied to the
 * store and made durable before it was logged), or an invalidation (bytes written straight
 * to the store and made durable before it was logged).
 *
 * An invalidation is logged only once its bytes are durable, after writes that came later
 * may have been logged: it carries the LSN of the newest record its bytes replaced
 * (`through`) and masks the writes up to that one, not by its own place in the log. One
 * left by an earlier version (kind `invalidate`, no stamp) masks by its place, as it did.
 */
import type { LoggedRun } from '../slices.ts';
import type { LogPlace, WriteLog } from './log.ts';
import { RecordKind } from './record.ts';

export interface RecoveryReport {
  records: number;
  /** Bytes the log holds that are still to be carved. */
  bytes: number;
  payloads: number;
}

/** One payload's part of the log: its records' LSNs, and the bytes still to be carved. */
export interface RecoveredFile {
  firstLsn: number;
  lastLsn: number;
  /** Oldest first; disjoint. */
  runs: LoggedRun[];
}

/** Sorted, disjoint [start, end) pairs. */
type Ranges = number[];

/** `[from, to)` minus `mask`. */
export function subtract(mask: Ranges, from: number, to: number): Ranges {
  const out: Ranges = [];
  let cursor = from;
  for (let i = 0; i < mask.length && cursor < to; i += 2) {
    const [a, b] = [mask[i]!, mask[i + 1]!];
    if (b <= cursor) continue;
    if (a >= to) break;
    if (a > cursor) out.push(cursor, a);
    cursor = Math.max(cursor, b);
  }
  if (cursor < to) out.push(cursor, to);
  return out;
}

/** Adds [from, to) to `mask`, merging neighbours. */
export function addRange(mask: Ranges, from: number, to: number): void {
  if (from >= to) return;
  let i = 0;
  while (i < mask.length && mask[i + 1]! < from) i += 2;
  let j = i;
  while (j < mask.length && mask[j]! <= to) j += 2;
  if (i < j) {
    from = Math.min(from, mask[i]!);
    to = Math.max(to, mask[j - 1]!);
  }
  mask.splice(i, j - i, from, to);
}

export interface Entry {
  lsn: number;
  kind: number;
  offset: number;
  length: number;
  /** invalidateThrough: the newest record it masks. */
  through?: number;
  /** Where a write's bytes lie in the log (recovery reads them from there). */
  place?: LogPlace;
}

/** What survives of each write of one payload (records oldest first), by LSN. */
export function survivors(entries: readonly Entry[], into = new Map<number, Ranges>()): Map<number, Ranges> {
  const mask: Ranges = [];
  // Stamped invalidations, newest stamp first: each joins the mask just before the record it names.
  const stamped = entries
    .filter((e) => e.kind === RecordKind.invalidateThrough)
    .sort((a, b) => b.through! - a.through!);
  let next = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.kind === RecordKind.invalidateThrough) continue;
    for (let s = stamped[next]; s !== undefined && s.through! >= e.lsn; s = stamped[++next]) {
      addRange(mask, s.offset, s.offset + s.length);
    }
    if (e.kind === RecordKind.truncate) {
      addRange(mask, e.offset, Number.MAX_SAFE_INTEGER);
      continue;
    }
    if (e.kind === RecordKind.write) {
      const left = subtract(mask, e.offset, e.offset + e.length);
      if (left.length > 0) into.set(e.lsn, left);
    }
    addRange(mask, e.offset, e.offset + e.length);
  }
  return into;
}

/** The log's records (checked when it opened) as runs per payload, still to be carved. */
export async function recover(log: WriteLog): Promise<{ files: Map<string, RecoveredFile>; report: RecoveryReport }> {
  const byPayload = new Map<string, Entry[]>();
  let records = 0;
  for await (const r of log.records()) {
    records++;
    let list = byPayload.get(r.payloadId);
    if (list === undefined) byPayload.set(r.payloadId, (list = []));
    list.push({ lsn: r.lsn, kind: r.kind, offset: r.offset, length: r.length, through: r.through, place: r.place });
  }
  const files = new Map<string, RecoveredFile>();
  let bytes = 0;
  for (const [payloadId, entries] of byPayload) {
    const keep = survivors(entries);
    const runs: LoggedRun[] = [];
    for (const e of entries) {
      const left = keep.get(e.lsn);
      if (left === undefined) continue;
      const place = e.place!; // survivors are writes
      for (let i = 0; i < left.length; i += 2) {
        const [from, to] = [left[i]!, left[i + 1]!];
        runs.push({ ...place, at: place.at + (from - e.offset), offset: from, length: to - from });
        bytes += to - from;
      }
    }
    files.set(payloadId, { firstLsn: entries[0]!.lsn, lastLsn: entries[entries.length - 1]!.lsn, runs });
  }
  return { files, report: { records, bytes, payloads: byPayload.size } };
}
