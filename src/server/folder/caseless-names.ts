/**
 * Case-insensitive lookups in a folder share's directories (SMB names are case-insensitive
 * and case-preserving; the local file system keeps no case-folded index). Reading the
 * directory for each lookup made a copy of n new files over SMB read n² names (a CREATE of a
 * new name looks twice): 2,000 files of 4 KiB spent 0.45 s in readdir alone.
 *
 * So the folded names of the directories looked up lately are kept, exact:
 * - dfs's own changes (apply.ts) update them as they are made;
 * - another program's changes arrive through a watch on the directory (inotify, FSEvents,
 *   ReadDirectoryChangesW): each name an event gives is looked up again (lstat). Until the
 *   event arrives, a name another program has just made is missed, as a lookup racing that
 *   program would miss it anyway.
 * A watch that fails, or an event without a name, drops the directory's names: the next
 * lookup reads them again.
 */
import { lstatSync, watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { foldName } from '../metadata/store.ts';

/** Directories whose names are kept (each holds a watch). */
const MAX_DIRS = 64;

interface Names {
  path: string;
  watcher: FSWatcher | undefined;
  /** Folded name -> the directory's names that fold to it; undefined until read. */
  byFold: Map<string, Set<string>> | undefined;
  reading: Promise<void> | undefined;
  /** Names events reported while the directory was being read: looked up again after. */
  pending: string[];
}

export class CaselessNames {
  private readonly dirs = new Map<number, Names>();

  /** A name of the directory `dirId` (at `path`) that folds as `name` does, if there is one. */
  async find(dirId: number, path: string, name: string): Promise<string | undefined> {
    const names = await this.namesOf(dirId, path);
    const found = names?.get(foldName(name));
    if (found !== undefined) for (const n of found) return n;
    if (names !== undefined) return undefined;
    // No watch (the platform or a limit refused it): the directory itself, every time.
    const wanted = foldName(name);
    return (await readdir(path).catch(() => [] as string[])).find((n) => foldName(n) === wanted);
  }

  /** dfs made `name` in the directory. */
  added(dirId: number, name: string): void {
    const byFold = this.dirs.get(dirId)?.byFold;
    if (byFold !== undefined) add(byFold, name);
  }

  /** dfs removed `name` from the directory (or renamed it away). */
  removed(dirId: number, name: string): void {
    const byFold = this.dirs.get(dirId)?.byFold;
    if (byFold !== undefined) remove(byFold, name);
  }

  close(): void {
    for (const dirId of [...this.dirs.keys()]) this.drop(dirId);
  }

  private async namesOf(dirId: number, path: string): Promise<Map<string, Set<string>> | undefined> {
    let d = this.dirs.get(dirId);
    if (d !== undefined && d.path !== path) {
      this.drop(dirId);
      d = undefined;
    }
    if (d === undefined) {
      d = { path, watcher: undefined, byFold: undefined, reading: undefined, pending: [] };
      this.dirs.set(dirId, d);
      this.evict();
      // Watching first: a name made while the directory is read is reported after.
      try {
        d.watcher = watch(path, { persistent: false }, (event, file) => this.event(dirId, event, file));
        d.watcher.on('error', () => this.drop(dirId));
      } catch {
        this.dirs.delete(dirId);
        return undefined;
      }
    } else {
      // Most recently used last.
      this.dirs.delete(dirId);
      this.dirs.set(dirId, d);
    }
    if (d.byFold === undefined) {
      const reading = (d.reading ??= this.read(dirId, d));
      await reading;
    }
    return this.dirs.get(dirId) === d ? d.byFold : undefined;
  }

  private async read(dirId: number, d: Names): Promise<void> {
    try {
      const byFold = new Map<string, Set<string>>();
      for (const n of await readdir(d.path)) add(byFold, n);
      for (const n of d.pending.splice(0)) recheck(byFold, d.path, n);
      if (this.dirs.get(dirId) === d) d.byFold = byFold;
    } catch {
      this.drop(dirId);
    } finally {
      d.reading = undefined;
    }
  }

  private event(dirId: number, event: string, file: string | Buffer | null): void {
    const d = this.dirs.get(dirId);
    if (d === undefined) return;
    if (typeof file !== 'string' || file.includes('/')) {
      this.drop(dirId);
      return;
    }
    // While reading, the listing may or may not have the change: looked up once it is read.
    if (d.byFold === undefined) d.pending.push(file);
    // A known name whose file changed (written, closed, chmod) is still there: a removal or
    // rename comes as a 'rename' event. Each file copied in over SMB raised ~5 such events.
    else if (event !== 'change' || !has(d.byFold, file)) recheck(d.byFold, d.path, file);
  }

  private evict(): void {
    for (const dirId of this.dirs.keys()) {
      if (this.dirs.size <= MAX_DIRS) break;
      this.drop(dirId);
    }
  }

  private drop(dirId: number): void {
    const d = this.dirs.get(dirId);
    if (d === undefined) return;
    this.dirs.delete(dirId);
    d.watcher?.close();
  }
}

/** Whether `name` is in the directory now decides whether it is kept. */
function recheck(byFold: Map<string, Set<string>>, dir: string, name: string): void {
  let exists = true;
  try {
    lstatSync(`${dir}/${name}`);
  } catch {
    exists = false;
  }
  if (exists) add(byFold, name);
  else remove(byFold, name);
}

function has(byFold: Map<string, Set<string>>, name: string): boolean {
  return byFold.get(foldName(name))?.has(name) === true;
}

function add(byFold: Map<string, Set<string>>, name: string): void {
  const folded = foldName(name);
  let set = byFold.get(folded);
  if (set === undefined) byFold.set(folded, (set = new Set()));
  set.add(name);
}

function remove(byFold: Map<string, Set<string>>, name: string): void {
  const folded = foldName(name);
  const set = byFold.get(folded);
  if (set === undefined) return;
  set.delete(name);
  if (set.size === 0) byFold.delete(folded);
}
