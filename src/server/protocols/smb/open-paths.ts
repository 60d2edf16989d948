/**
 * Where each open lives (its path from the share root), shared by every connection and kept
 * current by the metadata change feed, so renames and removals made through any protocol (SMB,
 * NFS) move it: what QUERY_INFO's name classes answer, what a later rename or delete through
 * the open names, and MS-FSA §2.1.5.14.11: a directory with an open file anywhere below it
 * cannot be renamed (ACCESS_DENIED, as Windows and Samba).
 *
 * Each component is kept with the key of the directory holding it (MetadataOps.changeKey), and
 * indexed by both, so a change reported for a directory finds the opens whose path passes
 * through the entry without looking at any other open. Changes are applied in the order
 * reported; a move into a directory no open path passes through asks the metadata service where
 * that directory is.
 */
import type { DirChange } from '../../metadata/change-feed.ts';
import type { DirPath } from '../../metadata/dir-path.ts';
import type { MetadataOps } from '../../metadata/types.ts';
import type { Open } from './state.ts';

interface Location {
  open: Open;
  /** Key of the directory holding each component, from the share root down. */
  dirs: string[];
  names: string[];
  /** Its name was removed (NFS REMOVE, or replaced by a rename): no path to follow any more. */
  gone: boolean;
}

type Move = Required<DirChange>['to'];

export class OpenPaths {
  private readonly opens = new Map<Open, Location>();
  /**
   * The locations passing through each entry, by its directory's key and its name: a change
   * touches only the opens at or below the entry it names, whatever the number of opens.
   */
  private readonly byEntry = new Map<string, Map<string, Set<Location>>>();
  private queue: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(private readonly md: MetadataOps) {
    this.unsubscribe = md.changes.subscribeAll((key, c) => this.changed(key, c));
  }

  close(): void {
    this.unsubscribe();
  }

  /** `open` is at `open.path`; `dirs` are the keys of the root and each directory down to its parent. */
  add(open: Open, dirs: string[]): void {
    const names = open.path.split('\\').filter(Boolean);
    const loc = { open, dirs: dirs.slice(0, names.length), names, gone: false };
    this.opens.set(open, loc);
    this.index(loc, 0, names.length);
  }

  remove(open: Open): void {
    const loc = this.opens.get(open);
    if (loc === undefined) return;
    this.opens.delete(open);
    this.unindex(loc, 0, loc.names.length);
  }

  /** Whether an open lies anywhere below the directory `dirKey` names. */
  openBelow(dirKey: string): boolean {
    for (const locs of this.byEntry.get(dirKey)?.values() ?? []) for (const loc of locs) if (!loc.gone) return true;
    return false;
  }

  /** Resolves once every change reported so far has been applied. */
  settled(): Promise<void> {
    return this.queue;
  }

  private changed(key: string, c: DirChange): void {
    if (c.to !== undefined) {
      const to = c.to;
      this.queue = this.queue.then(() => this.moved(key, c.name, to));
    } else if (c.action === 'removed') this.queue = this.queue.then(() => this.removed(key, c.name));
  }

  private through(dir: string, name: string): Location[] {
    return [...(this.byEntry.get(dir)?.get(name) ?? [])];
  }

  private removed(dir: string, name: string): void {
    for (const loc of this.through(dir, name)) if (at(loc, dir, name) === loc.names.length - 1) loc.gone = true;
  }

  private async moved(dir: string, name: string, to: Move): Promise<void> {
    const hits = this.through(dir, name);
    // An open of the entry the rename replaced has lost its name.
    this.removed(to.key, to.name);
    if (hits.length === 0) return;
    // Within one directory only the name changes; into another, the path up to it too.
    let target: DirPath | undefined;
    if (dir !== to.key) {
      target = this.known(to.key) ?? (await this.lookUp(to));
      if (target === undefined) return;
    }
    for (const loc of hits) {
      const i = at(loc, dir, name);
      if (i < 0 || this.opens.get(loc.open) !== loc) continue; // closed meanwhile: stays out of the index
      const itself = i === loc.names.length - 1;
      loc.gone = false; // renamed onto itself: still there
      this.unindex(loc, target === undefined ? i : 0, i + 1);
      if (target === undefined) loc.names[i] = to.name;
      else {
        loc.dirs = [...target.keys, ...loc.dirs.slice(i + 1)];
        loc.names = [...target.names, to.name, ...loc.names.slice(i + 1)];
      }
      this.index(loc, target === undefined ? i : 0, target === undefined ? i + 1 : target.keys.length);
      loc.open.path = loc.names.join('\\');
      if (itself) {
        loc.open.name = to.name;
        loc.open.parent = to.dir;
      }
    }
  }

  /** Where the directory `key` is, from an open whose path passes through it. */
  private known(key: string): DirPath | undefined {
    // The index holds no empty set: any location under the directory tells.
    const loc: Location | undefined = this.byEntry.get(key)?.values().next().value?.values().next().value;
    if (loc === undefined) return undefined;
    const j = loc.dirs.indexOf(key);
    return { keys: loc.dirs.slice(0, j + 1), names: loc.names.slice(0, j) };
  }

  private async lookUp(to: Move): Promise<DirPath | undefined> {
    try {
      return await this.md.dirPath(to.dir);
    } catch {
      return undefined; // gone again meanwhile: a later change reports where
    }
  }

  /** Components `from` to `to` (excluded) of `loc`'s path join the index. */
  private index(loc: Location, from: number, to: number): void {
    for (const [dir, name] of components(loc, from, to)) {
      let byName = this.byEntry.get(dir);
      if (byName === undefined) this.byEntry.set(dir, (byName = new Map()));
      let locs = byName.get(name);
      if (locs === undefined) byName.set(name, (locs = new Set()));
      locs.add(loc);
    }
  }

  private unindex(loc: Location, from: number, to: number): void {
    for (const [dir, name] of components(loc, from, to)) {
      const byName = this.byEntry.get(dir);
      const locs = byName?.get(name);
      if (byName === undefined || locs === undefined) continue;
      locs.delete(loc);
      if (locs.size === 0) byName.delete(name);
      if (byName.size === 0) this.byEntry.delete(dir);
    }
  }
}

/** The (directory key, name) pairs of components `from` to `to` (excluded) of `loc`'s path. */
function* components(loc: Location, from: number, to: number): Generator<[string, string]> {
  for (let i = from; i < to; i++) {
    const dir = loc.dirs[i];
    const name = loc.names[i];
    if (dir !== undefined && name !== undefined) yield [dir, name];
  }
}

/** Index of the component `name` of directory `dir` in `loc`'s path; -1 when it does not pass there. */
function at(loc: Location, dir: string, name: string): number {
  for (let i = 0; i < loc.names.length; i++) if (loc.dirs[i] === dir && loc.names[i] === name) return i;
  return -1;
}
