/**
 * The write log: records appended to segment files under one directory, made durable by
 * `sync`, where concurrent callers share one fdatasync (group commit). Segments whose
 * records are all carved into the block store are deleted (`reclaim`). The log is capped:
 * an append that does not fit waits for a reclaim, then fails with NO_SPACE.
 *
 * Segment files are named after their first LSN; LSNs run on across segments, so a replay
 * can tell a complete log from one with a hole. Opening the log cuts a torn or corrupt tail
 * (a record the crash left half-written) and everything after it.
 *
 * A batch of small records is written from the event loop while such writes are quick
 * (quick-io.ts): a 4 KiB append then costs microseconds, not a threadpool round trip queued
 * behind the fsyncs there (an SMB WRITE of a small file: 0.57 -> 0.33 ms).
 */
import { constants } from 'node:fs';
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DittoError } from '../../../shared/errors.ts';
import { quickLogWrites } from '../../payload/quick-io.ts';
import { bodyLength, decodeRecord, encodeRecordInto, recordSize, type LogRecord, type RecordInput } from './record.ts';
import { scan, segmentName, syncDir, type OpenReport, type Segment } from './segments.ts';

export interface WriteLogOptions {
  /** Bytes the segment files may hold together. */
  capBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
  /** How long an append waits for room before failing with NO_SPACE. */
  fullWaitMs?: number;
  /** Called when an append finds the log full (the owner carves and reclaims). */
  onFull?: () => void;
}

export interface WriteLogStats {
  bytes: number;
  capBytes: number;
  segments: number;
  /** fdatasync calls so far: group commit shares one among concurrent callers. */
  syncs: number;
  /** Appends that had to wait for room. */
  fullWaits: number;
}

/** Where an appended record's body (a write's bytes) lies in the log: see LogReader. */
export interface LogPlace {
  lsn: number;
  /** The segment file's name. */
  segment: string;
  /** Position in that file of the body's first byte. */
  at: number;
}

/** A record read back from the log, and where its body lies. */
export interface PlacedRecord extends LogRecord {
  place: LogPlace;
}

interface Queued {
  input: RecordInput;
  size: number;
  resolve: (place: LogPlace) => void;
  reject: (err: Error) => void;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_FULL_WAIT_MS = 10_000;

export class WriteLog {
  private readonly segments: Segment[];
  private fh!: FileHandle;
  private nextLsn: number;
  private durableLsn: number;
  private total: number;
  private syncs = 0;
  private fullWaits = 0;
  /** Records waiting for the writer, oldest first. */
  private readonly queue: Queued[] = [];
  /** The writer loop, while it runs. */
  private writing: Promise<void> | undefined;
  private syncing: Promise<void> | undefined;
  private queuedSync: Promise<void> | undefined;
  private rotating: Promise<void> | undefined;
  private roomWaiters: Array<() => void> = [];
  private readonly segmentBytes: number;
  private readonly fullWaitMs: number;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly options: WriteLogOptions,
    segments: Segment[],
    readonly opened: OpenReport,
  ) {
    this.segments = segments;
    const last = segments[segments.length - 1];
    this.nextLsn = last === undefined ? 1 : last.lastLsn + 1;
    this.durableLsn = this.nextLsn - 1;
    this.total = segments.reduce((sum, s) => sum + s.bytes, 0);
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.fullWaitMs = options.fullWaitMs ?? DEFAULT_FULL_WAIT_MS;
  }

  /** Opens (creating) the log in `dir`, cutting a torn tail; replay with `records()`. */
  static async open(dir: string, options: WriteLogOptions): Promise<WriteLog> {
    mkdirSync(dir, { recursive: true });
    const { segments, report } = await scan(dir);
    const log = new WriteLog(dir, options, segments, report);
    await log.startSegment();
    return log;
  }

  /**
   * Every record kept at open, oldest first, one segment in memory at a time, with where a
   * write's bytes lie in the log (LogReader reads them back from there).
   */
  async *records(): AsyncGenerator<PlacedRecord> {
    for (const s of this.segments.slice()) {
      if (s.bytes === 0) continue;
      const buf = await readFile(path.join(this.dir, s.file));
      for (let at = 0; at < s.bytes;) {
        const r = decodeRecord(buf, at);
        if ('torn' in r) break; // cannot happen: scan cut the log here
        const { record } = r;
        yield { ...record, place: { lsn: record.lsn, segment: s.file, at: at + r.size - record.data.length } };
        at += r.size;
      }
    }
  }

  /** The LSN of the oldest record the log may still hold. */
  get firstLsn(): number {
    return this.segments[0]!.firstLsn;
  }

  get lastLsn(): number {
    return this.nextLsn - 1;
  }

  stats(): WriteLogStats {
    return {
      bytes: this.total,
      capBytes: this.options.capBytes,
      segments: this.segments.length,
      syncs: this.syncs,
      fullWaits: this.fullWaits,
    };
  }

  /**
   * Appends a record (not yet durable: see `sync`) and returns its LSN and where its body
   * lies. Records queued together go out in one write; one that fails (a full disk) takes
   * none of the log's space or LSNs, so the records after it still follow on.
   */
  async append(input: RecordInput): Promise<LogPlace> {
    const size = recordSize(input);
    await this.room(size);
    if (this.closed) throw new DittoError('IO', 'the write log is closed');
    this.total += size;
    return new Promise<LogPlace>((resolve, reject) => {
      this.queue.push({ input, size, resolve, reject });
      this.writing ??= this.writeQueued();
    });
  }

  /** Writes queued records, a batch at a time, until the queue is empty. */
  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        while (this.rotating !== undefined) await this.rotating;
        if (this.current.bytes > 0 && this.current.bytes + this.queue[0]!.size > this.segmentBytes) await this.rotate();
        let room = Math.max(this.segmentBytes - this.current.bytes, this.queue[0]!.size);
        let n = 0;
        while (n < this.queue.length && this.queue[n]!.size <= room) room -= this.queue[n++]!.size;
        const batch = this.queue.splice(0, n);
        await this.writeBatch(batch);
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async writeBatch(batch: Queued[]): Promise<void> {
    const seg = this.current;
    const at = seg.bytes;
    const firstLsn = this.nextLsn;
    const length = batch.reduce((sum, q) => sum + q.size, 0);
    const out = Buffer.allocUnsafe(length);
    for (let i = 0, pos = 0; i < batch.length; pos += batch[i]!.size, i++) {
      encodeRecordInto(out, pos, firstLsn + i, batch[i]!.input);
    }
    try {
      let done = 0;
      while (done < length) {
        done += await quickLogWrites.write(this.fh.fd, out, done, length - done, at + done);
      }
    } catch (err) {
      // Nothing of the batch counts: cut what reached the file, give back space and LSNs.
      await this.fh.truncate(at).catch(() => {});
      this.total -= length;
      this.wakeRoomWaiters();
      const code = (err as NodeJS.ErrnoException).code;
      const failure = new DittoError(
        code === 'ENOSPC' || code === 'EDQUOT' ? 'NO_SPACE' : 'IO',
        `write log: ${(err as Error).message}`,
      );
      for (const q of batch) q.reject(failure);
      return;
    }
    this.nextLsn += batch.length;
    seg.bytes += length;
    seg.lastLsn = this.nextLsn - 1;
    for (let i = 0, pos = at; i < batch.length; pos += batch[i]!.size, i++) {
      const q = batch[i]!;
      q.resolve({
        lsn: firstLsn + i,
        segment: seg.file,
        at: pos + q.size - bodyLength(q.input.kind, q.input.data.length),
      });
    }
  }

  /**
   * Makes every record appended before the call durable. Callers arriving while an
   * fdatasync runs share the next one.
   */
  sync(): Promise<void> {
    if (this.durableLsn >= this.lastLsn) return this.syncing ?? Promise.resolve();
    if (this.syncing === undefined) return this.startSync();
    return (this.queuedSync ??= this.syncing.then(
      () => {
        this.queuedSync = undefined;
        return this.durableLsn >= this.lastLsn ? undefined : this.startSync();
      },
      () => {
        this.queuedSync = undefined;
        return this.startSync();
      },
    ));
  }

  /**
   * Deletes the segments whose records all have LSN <= `carvedThrough` (their content is
   * durable in the block store); the current segment too, by starting a new one.
   */
  async reclaim(carvedThrough: number): Promise<void> {
    while (this.writing !== undefined || this.rotating !== undefined) await (this.writing ?? this.rotating);
    // No writer now (checked synchronously): one starting later waits for this rotation.
    if (this.current.bytes > 0 && this.current.lastLsn <= carvedThrough) await this.rotate();
    let removed = 0;
    while (this.segments.length > 1 && this.segments[0]!.lastLsn <= carvedThrough) {
      const s = this.segments.shift()!;
      await unlink(path.join(this.dir, s.file));
      this.total -= s.bytes;
      removed++;
    }
    // Oldest first, and the removal durable: a crash never brings back an older segment alone.
    if (removed > 0) await syncDir(this.dir);
    if (removed > 0) this.wakeRoomWaiters();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync();
    this.closed = true;
    await this.fh.close();
    this.wakeRoomWaiters();
  }

  private get current(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private startSync(): Promise<void> {
    const target = this.lastLsn;
    const run = async (): Promise<void> => {
      try {
        await this.writing;
        // A rotation made the old segment durable itself; sync the one it opened.
        while (this.rotating !== undefined) await this.rotating;
        this.syncs++;
        await this.fh.datasync();
        if (target > this.durableLsn) this.durableLsn = target;
      } finally {
        this.syncing = undefined;
      }
    };
    return (this.syncing = run());
  }

  /** Waits until `size` more bytes fit under the cap; NO_SPACE after fullWaitMs. */
  private async room(size: number): Promise<void> {
    if (this.total + size <= this.options.capBytes) return;
    if (size > this.options.capBytes) throw new DittoError('NO_SPACE', 'the write is larger than the write log');
    this.fullWaits++;
    const deadline = performance.now() + this.fullWaitMs;
    while (this.total + size > this.options.capBytes) {
      this.options.onFull?.();
      const left = deadline - performance.now();
      if (left <= 0 || this.closed) throw new DittoError('NO_SPACE', 'the write log is full');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.roomWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Ends the current segment (durable) and starts the next. */
  private rotate(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        const old = this.fh;
        if (this.current.lastLsn > this.durableLsn) {
          this.syncs++;
          await old.datasync();
          this.durableLsn = this.current.lastLsn;
        }
        // A sync that started on the old segment may still be running on it: close after.
        void Promise.resolve(this.syncing)
          .catch(() => {})
          .finally(() => old.close().catch(() => {}));
        this.segments.push({
          firstLsn: this.nextLsn,
          lastLsn: this.nextLsn - 1,
          bytes: 0,
          file: segmentName(this.nextLsn),
        });
        await this.openCurrent();
      } finally {
        this.rotating = undefined;
      }
    };
    return (this.rotating = run());
  }

  /** Opens the last segment for appending (a new, empty one if the log is empty). */
  private async startSegment(): Promise<void> {
    if (this.segments.length === 0) {
      this.segments.push({
        firstLsn: this.nextLsn,
        lastLsn: this.nextLsn - 1,
        bytes: 0,
        file: segmentName(this.nextLsn),
      });
    }
    await this.openCurrent();
  }

  private async openCurrent(): Promise<void> {
    const s = this.current;
    this.fh = await open(path.join(this.dir, s.file), constants.O_RDWR | constants.O_CREAT);
    if (s.bytes === 0) await syncDir(this.dir); // the new name must survive a crash with its records
  }
}
