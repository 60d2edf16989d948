/**
 * What the filesystem block store has changed without making durable yet, and the syncs
 * that make it so: block files written without fdatasync, and directories whose entries
 * changed (new block files and shards, renames, deletes). A path leaves its pending set when
 * its sync starts, so a sync under way covers every write completed before it; callers
 * arriving meanwhile wait for that one instead of starting another, and a failed sync puts
 * its path back for the next caller to retry.
 */
import { closeSync, openSync } from 'node:fs';
import { allOrFirstError, Limiter } from '../../settle.ts';
import type { BlockHandles } from './block-handles.ts';
import { errno, fsError, syncFd, syncPath } from './file-io.ts';
import { PathsByDir } from './paths-by-dir.ts';

/** Background fdatasyncs at once: each holds one of libuv's few threads for milliseconds. */
const MAX_SYNC_AHEAD = 2;
/**
 * Syncs at once of a whole-store sync (a carve pass of thousands of small files): started all
 * together they queued every client's COMMIT behind them on libuv's threadpool.
 */
const MAX_STORE_SYNCS = 4;

const ignore = (): void => undefined;

export class BlockSyncs {
  /** Directories with entries created or removed since the last sync. */
  private readonly dirs = new Set<string>();
  /** Block files put or patched without fdatasync since the last sync. */
  private readonly files = new PathsByDir();
  /** fdatasyncs / directory fsyncs under way, by path (their paths left the sets above). */
  private readonly filesInFlight = new Map<string, Promise<void>>();
  /** The keys of filesInFlight by directory: a COMMIT looks at its own shard's only. */
  private readonly filesInFlightByDir = new PathsByDir();
  private readonly dirsInFlight = new Map<string, Promise<void>>();
  private aheadRunning = 0;
  /** Files syncAhead was asked for, not started yet (a store-wide sync takes them itself). */
  private aheadQueue: string[] = [];
  /** Descriptors of the directories synced so far (blocks/ and its shards), kept open. */
  private readonly dirFds = new Map<string, number>();
  private readonly storeSyncs = new Limiter(MAX_STORE_SYNCS);

  /** The open block files, whose descriptors an fdatasync uses when it can. */
  constructor(private readonly handles: BlockHandles) {}

  fileChanged(file: string): void {
    this.files.add(file);
  }

  /** A file replaced durably (its temp file fdatasynced before the rename): nothing to sync. */
  fileReplaced(file: string): void {
    this.files.delete(file);
  }

  dirChanged(dir: string): void {
    this.dirs.add(dir);
  }

  /** Everything pending, at most MAX_STORE_SYNCS syncs at a time. */
  async all(): Promise<void> {
    this.aheadQueue = []; // still pending: taken here
    await allOrFirstError([
      this.syncPaths([...this.files, ...this.filesInFlight.keys()], this.files, this.filesInFlight, this.storeSyncs),
      this.syncPaths([...this.dirs, ...this.dirsInFlight.keys()], this.dirs, this.dirsInFlight, this.storeSyncs),
    ]);
  }

  /**
   * The files of `dir` whose paths start with `filePrefix` (one payload's blocks), and `dir`
   * itself: concurrent COMMITs of different files do not wait for each other.
   */
  async some(dir: string, filePrefix: string): Promise<void> {
    const files: string[] = [];
    for (const f of this.files.inDir(dir)) if (f.startsWith(filePrefix)) files.push(f);
    for (const f of this.filesInFlightByDir.inDir(dir)) if (f.startsWith(filePrefix)) files.push(f);
    await allOrFirstError([
      this.syncPaths(files, this.files, this.filesInFlight),
      this.syncPaths([dir], this.dirs, this.dirsInFlight),
    ]);
  }

  /** Starts an fdatasync of `file` in the background, MAX_SYNC_AHEAD at a time. */
  ahead(file: string): void {
    this.aheadQueue.push(file);
    this.startSyncsAhead();
  }

  /** Closes the directory descriptors; call once no sync runs any more. */
  close(): void {
    for (const fd of this.dirFds.values()) closeSync(fd);
    this.dirFds.clear();
  }

  /** Starts queued background syncs; files a sync took already are skipped. */
  private startSyncsAhead(): void {
    while (this.aheadRunning < MAX_SYNC_AHEAD && this.aheadQueue.length > 0) {
      const file = this.aheadQueue.shift() as string;
      if (!this.files.has(file)) continue;
      this.aheadRunning++;
      this.syncPaths([file], this.files, this.filesInFlight)
        .catch(ignore) // left pending: the next sync retries and reports
        .finally(() => {
          this.aheadRunning--;
          this.startSyncsAhead();
        });
    }
  }

  /**
   * Makes `paths` durable: starts a sync of each one `pending` holds (through `limiter` if
   * given), waits for the others under way.
   */
  private syncPaths(
    paths: Iterable<string>,
    pending: Set<string>,
    inFlight: Map<string, Promise<void>>,
    limiter?: Limiter,
  ): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const path of new Set(paths)) {
      const running = inFlight.get(path);
      if (pending.delete(path)) {
        waits.push(this.syncOne(path, pending, inFlight, limiter));
      } else if (running !== undefined) {
        // A failed sync put its path back: then it is ours to retry.
        waits.push(
          running.then(ignore, () => (pending.has(path) ? this.syncPaths([path], pending, inFlight) : undefined)),
        );
      }
    }
    return allOrFirstError(waits);
  }

  private syncOne(
    path: string,
    pending: Set<string>,
    inFlight: Map<string, Promise<void>>,
    limiter: Limiter | undefined,
  ): Promise<void> {
    const isDir = inFlight === this.dirsInFlight;
    const sync = (): Promise<void> => (isDir ? this.syncDirectory(path) : this.syncFile(path));
    const work = limiter === undefined ? sync() : limiter.run(sync);
    const p: Promise<void> = work
      .catch((err: unknown) => {
        pending.add(path);
        throw fsError(err);
      })
      .finally(() => {
        if (inFlight.get(path) !== p) return;
        inFlight.delete(path);
        if (!isDir) this.filesInFlightByDir.delete(path);
      });
    inFlight.set(path, p);
    if (!isDir) this.filesInFlightByDir.add(path);
    return p;
  }

  /** fdatasync through the block's open handle if it has one: one call instead of open, sync and close. */
  private async syncFile(file: string): Promise<void> {
    const handle = this.handles.acquireIfOpen(file);
    if (handle === undefined) return syncPath(file, true);
    try {
      await syncFd(handle.fd, true);
    } finally {
      this.handles.release(handle);
    }
  }

  /**
   * fsync through a descriptor kept open: the store's directories are few (blocks/ and its
   * shards), and each sync is then one threadpool call. Windows cannot open a directory to
   * fsync it; NTFS journals the renames itself.
   */
  private async syncDirectory(dir: string): Promise<void> {
    if (process.platform === 'win32') return;
    let fd = this.dirFds.get(dir);
    if (fd === undefined) {
      try {
        fd = openSync(dir, 'r');
      } catch (err) {
        if (errno(err) === 'ENOENT') return; // removed since: nothing left to make durable
        throw err;
      }
      this.dirFds.set(dir, fd);
    }
    await syncFd(fd, false);
  }
}
