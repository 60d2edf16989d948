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
 * One journal per block store; the PayloadService orders operations per payload (PayloadLock:
 * reads, writes, flushes and carves together, truncates alone) and lends the journal a
 * payload's block path (`PayloadIo`) for each call. The carver is carver.ts, the recovery at
 * start recovery.ts, and what is known of one payload journal-file.ts.
 */
import type { Logger } from 'pino';
import { DittoError } from '../../shared/errors.ts';
import type { BlockStore } from '../payload/blockstore.ts';
import { allOrFirstError } from '../payload/settle.ts';
import { Carver } from './carver.ts';
import { JournalFile } from './journal-file.ts';
import type { PayloadIo, PayloadRunner } from './payload-io.ts';
import { openRecovered } from './recovery.ts';
import type { LoggedRun, Slice, SliceCache } from './slices.ts';
import type { LogPlace, WriteLog, WriteLogStats } from './wal/log.ts';
import { LogReader } from './wal/reader.ts';
import { RecordKind, type RecordInput } from './wal/record.ts';
import type { RecoveredFile, RecoveryReport } from './wal/replay.ts';

export interface JournalOptions {
  /** Directory of the log's segment files. */
  dir: string;
  logCapBytes: number;
  /** Writes at least this long, over no dirty slice, go straight to the blocks; 0: never. */
  bypassBytes: number;
  /** How long a writer waits for room (log or memory) before NO_SPACE. */
  fullWaitMs?: number;
  /** Quiet time after the last write before the carver runs (it runs at once under pressure). */
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

const DEFAULT_FULL_WAIT_MS = 10_000;
/** Reads that found a spilled run's segment gone (a carve reclaimed it) before giving up. */
const READ_ATTEMPTS = 3;
const DEFAULT_CARVE_DELAY_MS = 500;
/** Dirty data waits for quiet at most this long (the kernel's dirty_expire is 30 s). */
const CARVE_MAX_DELAY_MS = 30_000;

export class Journal {
  private readonly files = new Map<string, JournalFile>();
  /** The LSN of each payload's newest record still in the log. */
  private readonly logged = new Map<string, number>();
  /** Appends under way, by payload: records that will be in the log. */
  private readonly appending = new Map<string, number>();
  private readonly carver: Carver;
  private bypassedBytes = 0;
  /** A writer got NO_SPACE and the owner has not been told there is room again. */
  private full = false;

  private constructor(
    store: BlockStore,
    private readonly log: WriteLog,
    private readonly cache: SliceCache,
    private readonly options: JournalOptions,
    readonly recovered: RecoveryReport,
  ) {
    this.carver = new Carver(this.files, log, cache, {
      syncStore: () => store.sync(),
      delayMs: options.carveDelayMs ?? DEFAULT_CARVE_DELAY_MS,
      // Never shorter than the quiet time (tests set a long one to carve only when they ask).
      maxDelayMs: Math.max(CARVE_MAX_DELAY_MS, options.carveDelayMs ?? 0),
      logger: options.logger,
      onPass: () => this.carved(),
    });
  }

  /**
   * Opens the log under `options.dir`. What it holds that the block store may not (after a
   * crash) is served from the log at once and carved once a share lends its payloads (`bind`).
   */
  static async open(store: BlockStore, cache: SliceCache, options: JournalOptions): Promise<Journal> {
    // The log asks for a carve when full; the journal exists only once the log is open.
    const owner: { journal?: Journal } = {};
    const { log, files, report } = await openRecovered(
      options.dir,
      {
        capBytes: options.logCapBytes,
        segmentBytes: options.segmentBytes,
        fullWaitMs: options.fullWaitMs ?? DEFAULT_FULL_WAIT_MS,
        onFull: () => owner.journal?.carver.soon(0),
      },
      options.logger,
    );
    owner.journal = new Journal(store, log, cache, options, report);
    owner.journal.restore(files);
    return owner.journal;
  }

  /**
   * The recovered files, as spilled runs. Which share each belongs to is not in the log: the
   * first share bound lends them for their carve (a share's payloads are locked per store,
   * PayloadService), and a client's write or truncate names the file's own.
   */
  private restore(files: Map<string, RecoveredFile>): void {
    for (const [payloadId, r] of files) {
      const f = this.file(UNBOUND, payloadId);
      f.noteLsn(r.firstLsn);
      f.noteLsn(r.lastLsn);
      f.slices.keepSpilled(r.runs);
      this.logged.set(payloadId, r.lastLsn);
    }
  }

  /** The PayloadService lends its per-payload ordering for background carves, through `share`. */
  bind(share: string, runner: PayloadRunner): void {
    this.carver.runner = runner;
    let recovered = false;
    for (const f of this.files.values()) {
      if (f.share !== UNBOUND) continue;
      f.share = share;
      recovered = true;
    }
    if (recovered) this.carver.soon();
  }

  stats(): JournalStats {
    let backlog = 0;
    for (const f of this.files.values()) if (f.dirtySince !== undefined || f.slices.hasDirty) backlog++;
    return {
      ...this.log.stats(),
      carveBacklogFiles: backlog,
      carves: this.carver.passes,
      bypassedBytes: this.bypassedBytes,
    };
  }

  async read(payloadId: string, io: PayloadIo, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const f = this.files.get(payloadId);
    if (f === undefined || !f.slices.intersects(offset, length)) return io.read(offset, length, into);
    const out = into?.subarray(0, length) ?? Buffer.allocUnsafe(length);
    for (let attempt = 1; ; attempt++) {
      const spills = f.slices.spills;
      const spilled = f.slices.spilledIn(offset, length);
      if (spilled.length > 0 || !f.slices.covers(offset, length)) {
        const base = await io.read(offset, length, out);
        if (base.buffer !== out.buffer || base.byteOffset !== out.byteOffset) base.copy(out);
      }
      // Older than every slice: under them. A carve may have reclaimed their segment
      // meanwhile (the blocks hold them now), or spilled a slice (the log holds it now).
      const found = await this.readSpilled(spilled, offset, out);
      if (found && f.slices.spills === spills) break;
      if (!found && attempt >= READ_ATTEMPTS) {
        throw new DittoError('IO', `write log: a segment holding unsaved bytes of ${payloadId} is gone`);
      }
    }
    f.slices.overlay(offset, out); // after the awaits: the newest bytes
    return out;
  }

  /** Copies spilled runs over `out` (file bytes from `offset`); false if a segment is gone. */
  private async readSpilled(runs: readonly LoggedRun[], offset: number, out: Buffer): Promise<boolean> {
    if (runs.length === 0) return true;
    const reader = new LogReader(this.log.dir);
    try {
      for (const run of runs) {
        const from = Math.max(offset, run.offset);
        const to = Math.min(offset + out.length, run.offset + run.length);
        await reader.read({ ...run, at: run.at + (from - run.offset) }, out.subarray(from - offset, to - offset));
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    } finally {
      reader.close();
    }
  }

  async write(share: string, payloadId: string, io: PayloadIo, data: Buffer, offset: number): Promise<void> {
    const { bypassBytes } = this.options;
    // bypassBytes 0 logs everything, small writes too.
    const large = bypassBytes > 0 && data.length >= bypassBytes;
    const inPlace = bypassBytes > 0 && !large && !this.hasRecords(payloadId) && (await io.inPlace(offset, data.length));
    // Checked after the await, and nothing awaited from here until the write is issued: the
    // records it must mask are the file's records logged by now, all up to `through` (none:
    // nothing to mask), and every record logged later gets a higher LSN. An append under way
    // has no LSN yet: the write is logged then.
    const through = this.logged.get(payloadId);
    if (
      !this.appending.has(payloadId) &&
      (large || (inPlace && through === undefined)) &&
      this.files.get(payloadId)?.slices.hasDirtyIn(offset, data.length) !== true
    ) {
      await io.write(data, offset);
      const f = this.file(share, payloadId); // looked up again: a carve may have dropped an idle entry meanwhile
      f.slices.refreshClean(offset, data);
      if (through !== undefined) f.addBypassed(offset, offset + data.length, through);
      else f.unflushed = true;
      this.bypassedBytes += data.length;
      return;
    }
    try {
      const { f, touched } = await this.intoSlices(share, payloadId, data, offset);
      // Slices first, then the record: a carve that sees a record's LSN has seen its bytes.
      let place: LogPlace | null = null;
      try {
        place = await this.append(f, { kind: RecordKind.write, payloadId, offset, data, length: data.length });
      } finally {
        f.slices.logged(touched, offset, data.length, place);
      }
    } catch (err) {
      if (err instanceof DittoError && err.code === 'NO_SPACE') {
        this.full = true;
        this.options.onNoSpace?.(err.message);
      }
      throw err;
    }
    // Half the memory dirty, and spilling what the log holds did not help: carve now,
    // leaving writers the other half meanwhile (a full log asks for a carve itself).
    if (!this.roomInMemory()) this.carver.soon(0);
    else this.carver.soon();
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
    // Durable before it is answered, logged or not: a block's cut tail may be only in the
    // write-back cache, and a crash would bring its bytes back into a later hole.
    await io.flush();
    // No record of the file in the log: nothing a replay could bring back, nothing to log.
    if (!this.logged.has(payloadId)) return;
    // Logged once durable in the store: replay then never brings back older bytes past `size`.
    await this.append(f, { kind: RecordKind.truncate, payloadId, offset: size, data: EMPTY, length: 0 });
    await this.log.sync();
    this.carver.soon();
  }

  /**
   * Drops a deleted payload's content; the caller holds the payload alone. Not made durable
   * here: nothing reads a deleted payload again (ids are never reused), and a crash before
   * the store or the log has it durable leaves blocks no file names, as a delete without a
   * journal does. A REMOVE of many files then costs no store flush and no log sync each (a
   * flush each, on the threadpool, held back the metadata store's syncs the REMOVEs wait for).
   */
  async delete(share: string, payloadId: string, io: PayloadIo): Promise<void> {
    const f = this.file(share, payloadId);
    // Writes that went straight to the blocks go with them: nothing to make durable or mask.
    f.bypassed = [];
    f.unflushed = false;
    f.slices.clip(0);
    await io.truncate(0);
    if (!this.logged.has(payloadId)) return;
    // Masks the payload's older records: a replay carves nothing of it.
    await this.append(f, { kind: RecordKind.truncate, payloadId, offset: 0, data: EMPTY, length: 0 });
    this.carver.soon();
  }

  private async append(f: JournalFile, input: RecordInput): Promise<LogPlace> {
    const { payloadId } = input;
    this.appending.set(payloadId, (this.appending.get(payloadId) ?? 0) + 1);
    try {
      const place = await this.log.append(input);
      f.noteLsn(place.lsn);
      // The newest, whatever order appends resolve in: a bypass's stamp must cover them all.
      this.logged.set(payloadId, Math.max(place.lsn, this.logged.get(payloadId) ?? 0));
      return place;
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
  drain(): Promise<void> {
    return this.carver.drain();
  }

  async close(): Promise<void> {
    await this.carver.close();
    await this.log.close();
  }

  private file(share: string, payloadId: string): JournalFile {
    let f = this.files.get(payloadId);
    if (f === undefined) this.files.set(payloadId, (f = new JournalFile(this.cache, share)));
    f.share = share;
    return f;
  }

  /**
   * Copies the bytes into slices, spilling or waiting for carves while dirty data fills the
   * memory cap; the slices they went into.
   */
  private async intoSlices(
    share: string,
    payloadId: string,
    data: Buffer,
    offset: number,
  ): Promise<{ f: JournalFile; touched: Slice[] }> {
    const deadline = performance.now() + (this.options.fullWaitMs ?? DEFAULT_FULL_WAIT_MS);
    for (;;) {
      const f = this.file(share, payloadId);
      const touched = f.slices.write(offset, data);
      if (touched !== undefined) return { f, touched };
      const dirty = this.cache.stats().dirtyBytes;
      this.roomInMemory();
      if (this.cache.stats().dirtyBytes < dirty) continue; // spilled: room now
      if (performance.now() > deadline || this.carver.closed) {
        throw new DittoError('NO_SPACE', 'the write cache is full of unsaved data');
      }
      // Bounded: a truncate waiting on this payload would hold back the carve's own turn.
      await Promise.race([this.carver.now(), delay(100)]);
    }
  }

  /**
   * Whether dirty data leaves half the memory cap free, once slices the log holds are spilled.
   * Nothing is spilled past half the log: spilled data waits there for a carve, which must
   * start while writers still have room in it (a carve reclaims the log only once done). Nor
   * past the memory cap again: what the carve after a burst must catch up with stays bounded.
   */
  private roomInMemory(): boolean {
    const { dirtyBytes, spilledBytes, capBytes } = this.cache.stats();
    if (dirtyBytes * 2 <= capBytes) return true;
    const log = this.log.stats();
    return log.bytes * 2 <= log.capBytes && spilledBytes < capBytes && this.cache.spill(capBytes / 4);
  }

  private async settleBypassed(payloadId: string, f: JournalFile, io: PayloadIo): Promise<void> {
    if (f.bypassed.length === 0 && !f.unflushed) return;
    const ranges = f.bypassed;
    f.bypassed = [];
    f.unflushed = false;
    try {
      await io.flush();
      // Each masks only the records logged before its write (up to `through`), wherever it
      // lands in the log: the writes logged since, newer, keep their bytes in a replay.
      await allOrFirstError(
        ranges.map((r) =>
          this.append(f, {
            kind: RecordKind.invalidateThrough,
            payloadId,
            offset: r.offset,
            data: EMPTY,
            length: r.end - r.offset,
            through: r.through,
          }),
        ),
      );
    } catch (err) {
      // Still to make durable or to log: the next flush tries again (an invalidation logged
      // twice masks nothing more). Looked up again: a carve may have dropped the idle entry.
      const again = this.file(f.share, payloadId);
      again.bypassed = ranges.concat(again.bypassed);
      again.unflushed = true;
      throw err;
    }
    // The invalidations are reclaimed by a carve like any record: without one they would stay.
    if (ranges.length > 0) this.carver.soon();
  }

  /** After a carve's reclaim: forgets the payloads whose records are gone, tells of room. */
  private carved(): void {
    for (const [payloadId, lsn] of this.logged) if (lsn < this.log.firstLsn) this.logged.delete(payloadId);
    if (
      this.full &&
      this.log.stats().bytes * 2 < this.log.stats().capBytes &&
      this.cache.stats().dirtyBytes * 2 < this.cache.capBytes
    ) {
      this.full = false;
      this.options.onRoom?.();
    }
  }
}

const EMPTY = Buffer.alloc(0);
/** The share of a recovered file until one is bound. */
const UNBOUND = '';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
