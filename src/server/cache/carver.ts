/**
 * The carver (docs/write-log.md "Carving and reclaim"): writes each file's dirty slices into
 * the block store, makes them durable there, marks the slices clean, and reclaims the log
 * segments whose records are all carved. It runs once writes have been quiet for a while
 * (or have gone on for `maxDelayMs`), and at once under pressure or when asked: a burst of
 * small files is then carved after it, not during it, where each new block file's
 * fdatasync competed with the clients' own (NFS create+write+commit: 1,354-1,595 files/s
 * with carves during the run, 2,651-2,654 without).
 */
import type { Logger } from 'pino';
import { forEachLimited } from '../payload/settle.ts';
import type { JournalFile } from './journal-file.ts';
import type { PayloadIo, PayloadRunner } from './payload-io.ts';
import type { DirtyRun, LoggedRun, SliceCache } from './slices.ts';
import type { WriteLog } from './wal/log.ts';
import { LogReader } from './wal/reader.ts';

export interface CarverOptions {
  /** Makes everything written to the block store durable there (BlockStore.sync). */
  syncStore: () => Promise<void>;
  /** Quiet time after the last write before a pass (`soon()`). */
  delayMs: number;
  /** The longest a pass waits for quiet after the first write it is to carve. */
  maxDelayMs: number;
  logger?: Logger;
  /** After each pass's reclaim, failed or not. */
  onPass: () => void;
}

export class Carver {
  /** The PayloadService lends its per-payload ordering; no pass runs without it. */
  runner: PayloadRunner | undefined;
  passes = 0;
  private carving: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When `soon()` was last called, and when the waiting pass was first asked for. */
  private lastAsked = 0;
  private firstAsked = 0;
  private stopped = false;

  constructor(
    private readonly files: Map<string, JournalFile>,
    private readonly log: WriteLog,
    private readonly cache: SliceCache,
    private readonly options: CarverOptions,
  ) {}

  get closed(): boolean {
    return this.stopped;
  }

  /**
   * A pass once nothing has asked for one for `delayMs` (by default the quiet time), or
   * `maxDelayMs` after the first ask; at once for 0. Cheap to call on every write: the
   * timer is set once and re-armed when it fires early.
   */
  soon(delayMs = this.options.delayMs): void {
    if (this.stopped) return;
    if (delayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.now().catch((err: unknown) =>
        this.options.logger?.error({ err }, 'carving into the block store failed'),
      );
      return;
    }
    this.lastAsked = performance.now();
    if (this.timer !== undefined) return;
    this.firstAsked = this.lastAsked;
    this.arm(delayMs);
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      const quiet = now - this.lastAsked;
      if (quiet < this.options.delayMs && now - this.firstAsked < this.options.maxDelayMs) {
        this.arm(Math.min(this.options.delayMs - quiet, this.options.maxDelayMs - (now - this.firstAsked)));
      } else this.soon(0);
    }, delayMs).unref();
  }

  /** One pass (or the one in progress): dirty slices into blocks, then the log reclaimed. */
  now(): Promise<void> {
    return (this.carving ??= this.pass().finally(() => {
      this.carving = undefined;
    }));
  }

  /** A pass that starts after the one in progress: everything dirty now is carved. */
  async drain(): Promise<void> {
    while (this.carving !== undefined) await this.carving;
    await this.now();
  }

  /** No pass starts any more; resolves once the one in progress is done. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.carving !== undefined) await this.carving;
  }

  private async pass(): Promise<void> {
    const runner = this.runner;
    if (runner === undefined) return;
    this.passes++;
    // Every record up to here has its bytes in slices already (slices are written first).
    const through = this.log.lastLsn;
    const pending = [...this.files].filter(([, f]) => f.dirtySince !== undefined || f.slices.hasDirty || f.unflushed);
    const taken: Taken[] = [];
    const failures: unknown[] = [];
    const reader = new LogReader(this.log.dir);
    try {
      await forEachLimited(pending, CARVE_FILES_IN_FLIGHT, async ([payloadId, f]) => {
        try {
          await runner(f.share, payloadId, async (io) => {
            // Together, with no await between: every byte is in one or the other.
            const spilled = f.slices.spilledRuns();
            const runs = f.slices.dirtyRuns();
            const t: Taken = { f, spilled, runs, unflushed: f.unflushed, written: false };
            taken.push(t);
            // Cleared before the store's sync below, which covers every in-place write completed by then.
            f.unflushed = false;
            try {
              await writeSpilled(io, spilled, reader); // older than the slices: first
              await writeRuns(io, runs);
              await io.writeBack();
              t.written = true;
            } catch (err) {
              if (t.unflushed) f.unflushed = true;
              throw err;
            }
          });
        } catch (err) {
          failures.push(err);
        }
      });
    } finally {
      reader.close();
    }
    // One sync of the store for the whole pass: each directory the pass added files to is
    // fsynced once, not once for each file (a pass of many small files spread over a few shards).
    let synced = true;
    try {
      await this.options.syncStore();
    } catch (err) {
      synced = false;
      for (const t of taken) if (t.written && t.unflushed) t.f.unflushed = true;
      failures.push(err);
    }
    for (const { f, spilled, runs, written } of taken) {
      const durable = synced && written;
      f.slices.carved(runs, durable);
      if (!durable) continue;
      f.slices.carvedSpilled(spilled);
      f.dirtySince = f.lastLsn > through ? Math.max(f.dirtySince ?? 0, through + 1) : undefined;
    }
    let carvedThrough = through;
    for (const f of this.files.values())
      if (f.dirtySince !== undefined) carvedThrough = Math.min(carvedThrough, f.dirtySince - 1);
    if (!this.stopped) await this.log.reclaim(carvedThrough);
    for (const [payloadId, f] of this.files) if (f.idle) this.files.delete(payloadId);
    this.options.onPass();
    if (failures.length > 0) throw failures[0];
    if (this.cache.stats().dirtyBytes > 0 || this.log.stats().bytes > 0) this.soon();
  }
}

/**
 * Files a pass carves at once. Each file's carve is a few threadpool jobs (open, write,
 * fdatasync, its directory's fsync); starting them for every pending file at once queued a
 * client's next log write or block read behind hundreds of them (an SMB WRITE of a small
 * file waited ~1 ms in a copy of many files).
 */
const CARVE_FILES_IN_FLIGHT = 2;

/**
 * Block writes a carve keeps in flight per file: slices never overlap, so their order does
 * not matter, and one at a time left a carve of thousands of 4 KiB slices (random writes)
 * waiting on the thread pool's round trip for each while writers waited for its room.
 */
const CARVE_WRITES_IN_FLIGHT = 8;

/** What a pass took of one file, and whether it wrote it all to the block store. */
interface Taken {
  f: JournalFile;
  spilled: readonly LoggedRun[];
  runs: readonly DirtyRun[];
  unflushed: boolean;
  written: boolean;
}

/** Spilled runs in order, each read back from the log: later ones may overwrite earlier ones. */
async function writeSpilled(io: PayloadIo, runs: readonly LoggedRun[], reader: LogReader): Promise<void> {
  for (const run of runs) {
    const data = Buffer.allocUnsafe(run.length);
    await reader.read(run, data);
    await io.write(data, run.offset);
  }
}

export async function writeRuns(io: PayloadIo, runs: readonly DirtyRun[]): Promise<void> {
  await forEachLimited(runs, CARVE_WRITES_IN_FLIGHT, (run) => io.write(run.data, run.offset));
}
