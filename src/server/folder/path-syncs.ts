/**
 * fsync of directories and files of a folder share, off the event loop. Syncs of one path
 * run one at a time and callers arriving while one runs share the next, so a burst of
 * creates in one directory costs about two directory fsyncs, not one each.
 *
 * Descriptors of recently synced paths stay open: a sync is then one threadpool job (the
 * fsync) instead of three (open, fsync, close), each of which queued behind the COMMIT
 * fdatasyncs holding the pool's few threads. Before each sync the cached descriptor is
 * checked (fstat against lstat of the path, both cheap and on the event loop) to still be
 * the object at the path: a directory replaced under the same name is the new one.
 */
import { close, closeSync, fstatSync, fsync, lstatSync, openSync } from 'node:fs';
import { fsError } from './errors.ts';

interface PathState {
  running: Promise<void>;
  next: Promise<void> | undefined;
}

/** Descriptors kept open: directories a burst of creates touches, most recently used last. */
const MAX_OPEN = 32;

/** Gone since (moved or removed by the next change) or not openable as a file here (Windows directories). */
const SKIPPED = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM']);

interface Cached {
  fd: number;
  /** Syncs on this descriptor under way: it closes only once none is. */
  users: number;
  dropped: boolean;
}

export class PathSyncs {
  private readonly states = new Map<string, PathState>();
  private readonly open = new Map<string, Cached>();

  /** Resolves once everything done to `path` before the call is on stable storage. */
  sync(path: string): Promise<void> {
    const cur = this.states.get(path);
    if (cur === undefined) return this.start(path);
    cur.next ??= cur.running
      .catch(() => undefined)
      .then(() => {
        cur.next = undefined;
        return this.start(path);
      });
    return cur.next;
  }

  /** Waits for the syncs under way, then closes the cached descriptors. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.states.values()].flatMap((s) => [s.running, s.next]));
    for (const path of [...this.open.keys()]) this.drop(path);
  }

  private start(path: string): Promise<void> {
    const state: PathState = this.states.get(path) ?? { running: Promise.resolve(), next: undefined };
    const p = this.syncPath(path).finally(() => {
      if (state.running === p && state.next === undefined) this.states.delete(path);
    });
    state.running = p;
    this.states.set(path, state);
    return p;
  }

  private syncPath(path: string): Promise<void> {
    let c: Cached | undefined;
    try {
      c = this.descriptor(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      return SKIPPED.has(code) ? Promise.resolve() : Promise.reject(fsError(err, path));
    }
    if (c === undefined) return Promise.resolve();
    const held = c;
    held.users++;
    return new Promise((resolve, reject) => {
      fsync(held.fd, (err) => {
        held.users--;
        if (held.dropped && held.users === 0) close(held.fd, () => undefined);
        if (err === null || SKIPPED.has(err.code ?? '')) resolve();
        else reject(fsError(err, path));
      });
    });
  }

  /** The open descriptor of what is at `path` now (undefined: nothing is). */
  private descriptor(path: string): Cached | undefined {
    const cached = this.open.get(path);
    if (cached !== undefined) {
      const now = lstatOrUndefined(path);
      const was = fstatSync(cached.fd, { bigint: true });
      if (now !== undefined && now.ino === was.ino && now.dev === was.dev) {
        this.open.delete(path); // most recently used last
        this.open.set(path, cached);
        return cached;
      }
      this.drop(path);
      if (now === undefined) return undefined;
    }
    const fresh: Cached = { fd: openSync(path, 'r'), users: 0, dropped: false };
    this.open.set(path, fresh);
    for (const old of this.open.keys()) {
      if (this.open.size <= MAX_OPEN) break;
      this.drop(old);
    }
    return fresh;
  }

  private drop(path: string): void {
    const c = this.open.get(path);
    if (c === undefined) return;
    this.open.delete(path);
    c.dropped = true;
    if (c.users === 0) closeSync(c.fd);
  }
}

function lstatOrUndefined(path: string): { ino: bigint; dev: bigint } | undefined {
  return lstatSync(path, { bigint: true, throwIfNoEntry: false });
}
