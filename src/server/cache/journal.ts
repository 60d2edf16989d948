/**
 * The write path of a managed store (DESIGN.md "Data path"): writes land in the slice cache
 * and are appended to the write log; COMMIT / FILE_SYNC / SMB FLUSH sync the log (callers
 * share one fdatasync) and return. A background carver writes dirty slices into the block
 * store's 4 MiB blocks, makes them durable there, and reclaims the log segments it covered.
 * Large writes over no dirty data skip the log and go straight to their blocks (ZFS's intent
 * log does the same for big writes): logging them would write every byte twice. So do small
 * ones into blocks that exist, of a file with nothing in the log, on a store that writes in
 * place (files): a random 4 KiB write then costs one pwrite, not a log append, a copy in
 * memory and a carve, and its COMMIT an fdatasync of the blocks touched.
 *
 * One journal per block store; the PayloadService serialises operations per payload and
 * lends the journal a payload's block path (`PayloadIo`) for each call.
 */
import type { Logger } from 'pino';
import { DittoError } from '../../shared/errors.ts';
import type { BlockStore } from '../payload/blockstore.ts';
import { allOrFirstError } from '../payload/settle.ts';
import { FileSlices, type DirtyRun, type SliceCache } from './slices.ts';
import { WriteLog, type WriteLogStats } from './wal/log.ts';
import { RecordKind, type RecordInput } from './wal/record.ts';
import { replay, type ReplayReport } from './wal/replay.ts';

/** One payload's blocks, through the PayloadService's write-back cache. */
export interface PayloadIo {
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  write(data: Buffer, offset: number): Promise<void>;
  /** Writes back what is buffered and makes the payload's blocks durable. */
  flush(): Promise<void>;
  truncate(size: number): Promise<void>;
  /** Whether the bytes can go straight to blocks that exist (WriteBackCache.inPlace). */
  inPlace(offset: number, length: number): Promise<boolean>;
}

/** Runs `op` on a payload's block path, ordered with the payload's other operations. */
export type PayloadRunner = (share: string, payloadId: string, op: (io: PayloadIo) => Promise<void>) => Promise<void>;

export interface JournalOptions {
  /** Directory of the log's segment files. */
  dir: string;
  logCapBytes: number;
  /** Writes at least this long, over no dirty slice, go straight to the blocks; 0: never. */
  bypassBytes: number;
  /** How long a writer waits for room (log or memory) before NO_SPACE. */
  fullWaitMs?: number;
  /** Quiet time after a write before the carver runs (it runs at once under pressure). */
  carveDelayMs?: number;
  segmentBytes?: number;
  logger?: Logger;
  /** Told when a writer got NO_SPACE (log or memory full), and when there is room again. */
  onNoSpace?: (message: string) => void;
  onRoom?: () => void;
}

export interface JournalStats extends WriteLogStats {
  /** Files with bytes not yet carved into the block store. */
  carveBacklogFiles: number;
  carves: number;
  bypassedBytes: number;
}

class JournalFile {
  readonly slices: FileSlices;
  /** Lowest LSN of this file's records not yet carved; undefined when all are. */
  dirtySince: number | undefined;
  lastLsn = 0;
  /** Ranges written straight to the blocks, to log as invalidations once durable there. */
  bypassed: number[] = [];
  /**
   * Bytes written straight to the blocks that no older record covers (the file had none in
   * the log): a flush makes them durable, with nothing to log.
   */
  unflushed = false;

  constructor(
    cache: SliceCache,
    public share: string,
  ) {
    this.slices = new FileSlices(cache);
  }

  noteLsn(lsn: number): void {
    this.dirtySince ??= lsn;
    if (lsn > this.lastLsn) this.lastLsn = lsn;
  }

  get idle(): boolean {
    return this.slices.empty && this.dirtySince === undefined && this.bypassed.length === 0 && !this.unflushed;
  }
}

const DEFAULT_FULL_WAIT_MS = 10_000;
const DEFAULT_CARVE_DELAY_MS = 500;

export class Journal {
  private readonly files = new Map<string, JournalFile>();
  /** The LSN of each payload's newest record still in the log. */
  private readonly logged = new Map<string, number>();
  /** Appends under way, by payload: records that will be in the log. */
  private readonly appending = new Map<string, number>();
  private runner: PayloadRunner | undefined;
  private carving: Promise<void> | undefined;
  private carveTimer: ReturnType<typeof setTimeout> | undefined;
  private carves = 0;
  private bypassedBytes = 0;
  private closed = false;
  /** A writer got NO_SPACE and the owner has not been told there is room again. */
  private full = false;

  private constructor(
    private readonly log: WriteLog,
    private readonly cache: SliceCache,
    private readonly options: JournalOptions,
    readonly recovered: ReplayReport,
  ) {}

  /**
   * Opens the log under `options.dir` and replays it into `store` (recovery after a crash:
   * the block store then holds every logged write); the log is empty once this resolves.
   */
  static async open(store: BlockStore, cache: SliceCache, options: JournalOptions): Promise<Journal> {
    // The log asks for a carve when full; the journal exists only once the log is open.
    const owner: { journal?: Journal } = {};
    const log = await WriteLog.open(options.dir, {
      capBytes: options.logCapBytes,
      segmentBytes: options.segmentBytes,
      fullWaitMs: options.fullWaitMs ?? DEFAULT_FULL_WAIT_MS,
      onFull: () => owner.journal?.carveSoon(0),
    });
    if (log.opened.cut !== undefined) options.logger?.warn({ dir: options.dir, cut: log.opened.cut }, 'write log cut');
    const report = await replay(log, store);
    await log.reclaim(log.lastLsn);
    owner.journal = new Journal(log, cache, options, report);
    return owner.journal;
  }

  /** The PayloadService lends its per-payload ordering for background carves. */
  bind(runner: PayloadRunner): void {
    this.runner = runner;
  }

  stats(): JournalStats {
    let backlog = 0;
    for (const f of this.files.values()) if (f.dirtySince !== undefined || f.slices.hasDirty) backlog++;
    return { ...this.log.stats(), carveBacklogFiles: backlog, carves: this.carves, bypassedBytes: this.bypassedBytes };
  }

  async read(payloadId: string, io: PayloadIo, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const f = this.files.get(payloadId);
    if (f === undefined || !f.slices.intersects(offset, length)) return io.read(offset, length, into);
    const out = into?.subarray(0, length) ?? Buffer.allocUnsafe(length);
    if (!f.slices.covers(offset, length)) {
      const base = await io.read(offset, length, out);
      if (base.buffer !== out.buffer || base.byteOffset !== out.byteOffset) base.copy(out);
    }
    f.slices.overlay(offset, out); // after the await: the newest bytes
    return out;
  }

  async write(share: string, payloadId: string, io: PayloadIo, data: Buffer, offset: number): Promise<void> {
    const { bypassBytes } = this.options;
    // bypassBytes 0 logs everything, small writes too.
    const large = bypassBytes > 0 && data.length >= bypassBytes;
    const inPlace = bypassBytes > 0 && !large && !this.hasRecords(payloadId) && (await io.inPlace(offset, data.length));
    // Checked after the await: a write may have come in meanwhile.
    const masks = this.hasRecords(payloadId);
    if ((large || (inPlace && !masks)) && this.files.get(payloadId)?.slices.hasDirtyIn(offset, data.length) !== true) {
      await io.write(data, offset);
      const f = this.file(share, payloadId); // looked up again: a carve may have dropped an idle entry meanwhile
      f.slices.refreshClean(offset, data);
      // Only records older than this write need masking: none if the file had none.
      if (masks) addBypassed(f.bypassed, offset, offset + data.length);
      else f.unflushed = true;
      this.bypassedBytes += data.length;
      return;
    }
    try {
      const f = await this.intoSlices(share, payloadId, data, offset);
      // Slices first, then the record: a carve that sees a record's LSN has seen its bytes.
      await this.append(f, { kind: RecordKind.write, payloadId, offset, data, length: data.length });
    } catch (err) {
      if (err instanceof DittoError && err.code === 'NO_SPACE') {
        this.full = true;
        this.options.onNoSpace?.(err.message);
      }
      throw err;
    }
    if (this.cache.stats().dirtyBytes * 4 > this.cache.capBytes) this.carveSoon(0);
    else this.carveSoon(this.options.carveDelayMs ?? DEFAULT_CARVE_DELAY_MS);
  }

  /** Durable when it resolves: the payload's logged writes and its bypassed ones. */
  async flush(payloadId: string, io: PayloadIo): Promise<void> {
    const f = this.files.get(payloadId);
    if (f !== undefined) await this.settleBypassed(payloadId, f, io);
    await this.log.sync();
  }

  /** Drops content past `size`, durably; the caller holds the payload alone. */
  async truncate(share: string, payloadId: string, io: PayloadIo, size: number): Promise<void> {
    const f = this.file(share, payloadId);
    await this.settleBypassed(payloadId, f, io);
    f.slices.clip(size);
    await io.truncate(size);
    // No record of the file in the log: nothing a replay could bring back, nothing to log.
    if (!this.logged.has(payloadId)) return;
    await io.flush();
    // Logged once durable in the store: replay then never brings back older bytes past `size`.
    await this.append(f, { kind: RecordKind.truncate, payloadId, offset: size, data: EMPTY, length: 0 });
    await this.log.sync();
    this.carveSoon(this.options.carveDelayMs ?? DEFAULT_CARVE_DELAY_MS);
  }

  private async append(f: JournalFile, input: RecordInput): Promise<void> {
    const { payloadId } = input;
    this.appending.set(payloadId, (this.appending.get(payloadId) ?? 0) + 1);
    try {
      const lsn = await this.log.append(input);
      f.noteLsn(lsn);
      this.logged.set(payloadId, lsn);
    } finally {
      const n = this.appending.get(payloadId)! - 1;
      if (n === 0) this.appending.delete(payloadId);
      else this.appending.set(payloadId, n);
    }
  }

  /** Whether the log holds, or is about to hold, a record of the payload. */
  private hasRecords(payloadId: string): boolean {
    return this.logged.has(payloadId) || this.appending.has(payloadId);
  }

  /** Writes every dirty slice into the block store and reclaims the log. */
  async drain(): Promise<void> {
    while (this.carving !== undefined) await this.carving;
    await this.carveNow();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.carveTimer);
    while (this.carving !== undefined) await this.carving;
    await this.log.close();
  }

  private file(share: string, payloadId: string): JournalFile {
    let f = this.files.get(payloadId);
    if (f === undefined) this.files.set(payloadId, (f = new JournalFile(this.cache, share)));
    f.share = share;
    return f;
  }

  /** Copies the bytes into slices, waiting for carves while dirty data fills the memory cap. */
  private async intoSlices(share: string, payloadId: string, data: Buffer, offset: number): Promise<JournalFile> {
    const deadline = performance.now() + (this.options.fullWaitMs ?? DEFAULT_FULL_WAIT_MS);
    for (;;) {
      const f = this.file(share, payloadId);
      if (f.slices.write(offset, data)) return f;
      if (performance.now() > deadline || this.closed) {
        throw new DittoError('NO_SPACE', 'the write cache is full of unsaved data');
      }
      // Bounded: a truncate waiting on this payload would hold back the carve's own turn.
      await Promise.race([this.carveNow(), delay(100)]);
    }
  }

  private async settleBypassed(payloadId: string, f: JournalFile, io: PayloadIo): Promise<void> {
    if (f.bypassed.length === 0 && !f.unflushed) return;
    const ranges = f.bypassed;
    f.bypassed = [];
    f.unflushed = false;
    try {
      await io.flush();
      // Writes logged since a bypass may lie in its ranges, and the invalidation will mask
      // their records: their bytes (the newest, in dirty slices) go to the blocks first,
      // until none is left there; then the invalidations are queued at once, with no await
      // between the check and the queueing for another write to slip in.
      for (let runs = this.dirtyOver(f, ranges); runs.length > 0; runs = this.dirtyOver(f, ranges)) {
        await writeRuns(io, runs);
        await io.flush();
        f.slices.carved(runs);
      }
    } catch (err) {
      // Still to make durable: the next flush tries again.
      f.bypassed = ranges.concat(f.bypassed);
      f.unflushed = true;
      throw err;
    }
    if (ranges.length === 0) return;
    const invalidations: Promise<void>[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      const [offset, end] = [ranges[i]!, ranges[i + 1]!];
      invalidations.push(
        this.append(f, { kind: RecordKind.invalidate, payloadId, offset, data: EMPTY, length: end - offset }),
      );
    }
    await allOrFirstError(invalidations);
    // The invalidations are reclaimed by a carve like any record: without one they would stay.
    this.carveSoon(this.options.carveDelayMs ?? DEFAULT_CARVE_DELAY_MS);
  }

  /** The file's dirty runs, if any of its dirty bytes lie in `ranges` (start, end pairs). */
  private dirtyOver(f: JournalFile, ranges: readonly number[]): DirtyRun[] {
    for (let i = 0; i < ranges.length; i += 2) {
      if (f.slices.hasDirtyIn(ranges[i]!, ranges[i + 1]! - ranges[i]!)) return f.slices.dirtyRuns();
    }
    return [];
  }

  carveSoon(delayMs: number): void {
    if (this.closed) return;
    if (delayMs === 0) {
      clearTimeout(this.carveTimer);
      this.carveTimer = undefined;
      void this.carveNow().catch((err: unknown) =>
        this.options.logger?.error({ err }, 'carving into the block store failed'),
      );
      return;
    }
    this.carveTimer ??= setTimeout(() => {
      this.carveTimer = undefined;
      this.carveSoon(0);
    }, delayMs).unref();
  }

  /** One carve pass (or the one in progress): dirty slices into blocks, then the log reclaimed. */
  private carveNow(): Promise<void> {
    return (this.carving ??= this.carvePass().finally(() => {
      this.carving = undefined;
    }));
  }

  private async carvePass(): Promise<void> {
    const runner = this.runner;
    if (runner === undefined) return;
    this.carves++;
    // Every record up to here has its bytes in slices already (slices are written first).
    const through = this.log.lastLsn;
    const pending = [...this.files].filter(([, f]) => f.dirtySince !== undefined || f.slices.hasDirty || f.unflushed);
    const failures: unknown[] = [];
    await Promise.all(
      pending.map(async ([payloadId, f]) => {
        try {
          await runner(f.share, payloadId, async (io) => {
            const runs = f.slices.dirtyRuns();
            // Cleared before the flush, which covers every in-place write completed by then.
            const unflushed = f.unflushed;
            f.unflushed = false;
            try {
              await writeRuns(io, runs);
              await io.flush();
            } catch (err) {
              if (unflushed) f.unflushed = true;
              throw err;
            }
            f.slices.carved(runs);
          });
          f.dirtySince = f.lastLsn > through ? Math.max(f.dirtySince ?? 0, through + 1) : undefined;
          if (f.idle) this.files.delete(payloadId);
        } catch (err) {
          failures.push(err);
        }
      }),
    );
    let carvedThrough = through;
    for (const f of this.files.values())
      if (f.dirtySince !== undefined) carvedThrough = Math.min(carvedThrough, f.dirtySince - 1);
    if (!this.closed) await this.log.reclaim(carvedThrough);
    for (const [payloadId, lsn] of this.logged) if (lsn < this.log.firstLsn) this.logged.delete(payloadId);
    for (const [payloadId, f] of this.files) if (f.idle) this.files.delete(payloadId);
    if (
      this.full &&
      this.log.stats().bytes * 2 < this.log.stats().capBytes &&
      this.cache.stats().dirtyBytes * 2 < this.cache.capBytes
    ) {
      this.full = false;
      this.options.onRoom?.();
    }
    if (failures.length > 0) throw failures[0];
    if (this.cache.stats().dirtyBytes > 0 || this.log.stats().bytes > 0)
      this.carveSoon(this.options.carveDelayMs ?? DEFAULT_CARVE_DELAY_MS);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Block writes a carve keeps in flight per file: slices never overlap, so their order does
 * not matter, and one at a time left a carve of thousands of 4 KiB slices (random writes)
 * waiting on the thread pool's round trip for each while writers waited for its room.
 */
const CARVE_WRITES_IN_FLIGHT = 8;

async function writeRuns(io: PayloadIo, runs: readonly DirtyRun[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < runs.length) {
      const run = runs[next++]!;
      await io.write(run.data, run.offset);
    }
  };
  await allOrFirstError(Array.from({ length: Math.min(CARVE_WRITES_IN_FLIGHT, runs.length) }, worker));
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function addBypassed(ranges: number[], from: number, to: number): void {
  const last = ranges.length - 1;
  if (last > 0 && ranges[last] === from) ranges[last] = to;
  else ranges.push(from, to);
}
