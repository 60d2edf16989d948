/**
 * Recovery: puts the log's writes into the block store, so that every byte a client was
 * told is stable is there before the server answers anyone.
 *
 * The log may still hold records already carved, so replay must be idempotent and must not
 * undo what came after a record: each payload's records are read newest first and a write
 * keeps only the bytes no later record covers — a later write, a truncate (applied to the
 * store and made durable before it was logged), or an invalidation (bytes written straight
 * to the store and made durable before it was logged). What survives is written once.
 *
 * An invalidation is logged only once its bytes are durable, after writes that came later
 * may have been logged: it carries the LSN of the newest record its bytes replaced
 * (`through`) and masks the writes up to that one, not by its own place in the log. One
 * left by an earlier version (kind `invalidate`, no stamp) masks by its place, as it did.
 */
import type { BlockStore } from '../../payload/blockstore.ts';
import { BLOCK_SIZE, blockKey, blockSpans, payloadPrefix } from '../../payload/layout.ts';
import { Limiter } from '../../payload/settle.ts';
import type { WriteLog } from './log.ts';
import { RecordKind } from './record.ts';

export interface ReplayReport {
  records: number;
  /** Bytes written to the block store. */
  bytes: number;
  payloads: number;
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

export async function replay(log: WriteLog, store: BlockStore): Promise<ReplayReport> {
  // Pass 1, headers only: what survives of each write.
  const byPayload = new Map<string, Entry[]>();
  let records = 0;
  for await (const r of log.records()) {
    records++;
    let list = byPayload.get(r.payloadId);
    if (list === undefined) byPayload.set(r.payloadId, (list = []));
    list.push({ lsn: r.lsn, kind: r.kind, offset: r.offset, length: r.length, through: r.through });
  }
  const keep = new Map<number, Ranges>();
  for (const list of byPayload.values()) survivors(list, keep);
  // Pass 2: write the survivors, then make the store durable. Payloads are written side by
  // side (each new block file is a file creation, which the kernel does faster on several
  // threads), each payload's records in log order.
  let bytes = 0;
  const writes = new PayloadQueues(REPLAY_CONCURRENCY);
  for await (const r of log.records()) {
    const left = keep.get(r.lsn);
    if (left === undefined) continue;
    const prefix = payloadPrefix(r.payloadId);
    await writes.add(r.payloadId, async () => {
      for (let i = 0; i < left.length; i += 2) {
        const [from, to] = [left[i]!, left[i + 1]!];
        await writeRange(store, prefix, from, r.data.subarray(from - r.offset, to - r.offset));
        bytes += to - from;
      }
    });
  }
  await writes.drain();
  if (bytes > 0) await store.sync();
  return { records, bytes, payloads: byPayload.size };
}

/** How many payloads a replay writes at once. */
const REPLAY_CONCURRENCY = 16;

/**
 * Runs tasks in order per payload and up to `limit` at once overall; `add` waits for a free
 * slot, so the log is read no faster than it is written out (one segment in memory at a
 * time). The first failure is thrown by `add` or `drain`.
 */
class PayloadQueues {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly slots: Limiter;
  private failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.slots = new Limiter(limit);
  }

  async add(payloadId: string, task: () => Promise<void>): Promise<void> {
    const release = await this.slots.acquire();
    if (this.failure !== undefined) {
      release();
      throw this.failure.error;
    }
    const run: Promise<void> = (this.tails.get(payloadId) ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) => void (this.failure ??= { error }))
      .finally(() => {
        release();
        if (this.tails.get(payloadId) === run) this.tails.delete(payloadId);
      });
    this.tails.set(payloadId, run);
  }

  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/** Writes bytes into the payload's blocks: in place where the store can, else read-modify-put. */
async function writeRange(store: BlockStore, prefix: string, offset: number, data: Buffer): Promise<void> {
  for (const { index, at, pos, n } of blockSpans(offset, data.length)) {
    const key = blockKey(prefix, index);
    const piece = data.subarray(pos, pos + n);
    if (store.patch !== undefined) {
      await store.patch(key, [{ offset: at, data: piece }]);
      continue;
    }
    const old = await store.get(key, 0, BLOCK_SIZE);
    const size = Math.max(old?.length ?? 0, at + n);
    const block = Buffer.alloc(size);
    old?.copy(block);
    piece.copy(block, at);
    await store.put(key, block);
  }
}
