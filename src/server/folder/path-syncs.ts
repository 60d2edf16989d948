/**
 * fsync of directories and files of a folder share, off the event loop. Syncs of one path
 * run one at a time and callers arriving while one runs share the next, so a burst of
 * creates in one directory costs about two directory fsyncs, not one each. The path is
 * opened for each sync: a directory replaced under the same name is the new one.
 */
import { close, fsync, open } from 'node:fs';
import { fsError } from './errors.ts';

interface PathState {
  running: Promise<void>;
  next: Promise<void> | undefined;
}

/** Gone since (moved or removed by the next change) or not openable as a file here (Windows directories). */
const SKIPPED = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM']);

/** open + fsync + close with the callback API (no FileHandle objects: this runs per create). */
function syncPath(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: NodeJS.ErrnoException | null): void => {
      if (err === null || SKIPPED.has(err.code ?? '')) resolve();
      else reject(fsError(err, path));
    };
    open(path, 'r', (err, fd) => {
      if (err !== null) return done(err);
      fsync(fd, (syncErr) => close(fd, () => done(syncErr)));
    });
  });
}

export class PathSyncs {
  private readonly states = new Map<string, PathState>();

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

  /** Waits for the syncs under way. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.states.values()].flatMap((s) => [s.running, s.next]));
  }

  private start(path: string): Promise<void> {
    const state: PathState = this.states.get(path) ?? { running: Promise.resolve(), next: undefined };
    const p = syncPath(path).finally(() => {
      if (state.running === p && state.next === undefined) this.states.delete(path);
    });
    state.running = p;
    this.states.set(path, state);
    return p;
  }
}
