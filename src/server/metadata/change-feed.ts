/**
 * Name changes in directories as MetadataService makes them, whichever protocol asked: what
 * SMB CHANGE_NOTIFY reports (a client's view refreshes when another client, over SMB or NFS,
 * adds, removes or renames an entry). Listeners subscribe per directory; delivery is
 * synchronous, after the change is stored. A protocol may add what only it sees: an entry's
 * attributes or content changed ('modified'), or the directory itself about to be deleted
 * ('delete-pending', with an empty name). Listeners of every directory (subscribeAll) see each
 * change with its directory's key: SMB keeps the paths of its open files current with them.
 * An outlet sees what is emitted here (a store's ChangeBus announces it to other dfs instances);
 * what other instances announce is delivered to the listeners only, never passed on again.
 */
import type { FileHandle } from './types.ts';

export type DirChangeAction = 'added' | 'removed' | 'renamed-from' | 'renamed-to' | 'modified' | 'delete-pending';

export interface DirChange {
  action: DirChangeAction;
  name: string;
  /** Whether the entry is a directory, when known (SMB filters file and directory names apart). */
  directory?: boolean;
  /**
   * Where a renamed entry went, on the first change a rename reports ('renamed-from', or
   * 'removed' for a move to another directory): the directory and the new name.
   */
  to?: { dir: FileHandle; key: string; name: string };
}

type Listener = (key: string, c: DirChange) => void;

export class ChangeFeed {
  private readonly listeners = new Map<string, Set<(c: DirChange) => void>>();
  private readonly everywhere = new Set<Listener>();

  /** `outlet` sees the changes emitted here, not those delivered from other instances. */
  constructor(private readonly outlet?: (key: string, changes: readonly DirChange[]) => void) {}

  /** Calls `fn` for every change in the directory `key` names until the returned function is called. */
  subscribe(key: string, fn: (c: DirChange) => void): () => void {
    let set = this.listeners.get(key);
    if (set === undefined) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** Calls `fn` for every change in every directory until the returned function is called. */
  subscribeAll(fn: Listener): () => void {
    this.everywhere.add(fn);
    return () => this.everywhere.delete(fn);
  }

  /** Changes made through this instance: to the listeners, then the outlet. */
  emit(key: string, ...changes: DirChange[]): void {
    this.deliver(key, changes);
    this.outlet?.(key, changes);
  }

  /** Changes made through another instance: to the listeners only. */
  deliver(key: string, changes: readonly DirChange[]): void {
    for (const fn of [...this.everywhere]) for (const c of changes) fn(key, c);
    const set = this.listeners.get(key);
    if (set === undefined) return;
    for (const fn of [...set]) for (const c of changes) fn(c);
  }
}
