/**
 * Name changes in directories as MetadataService makes them, whichever protocol asked: what
 * SMB CHANGE_NOTIFY reports (a client's view refreshes when another client, over SMB or NFS,
 * adds, removes or renames an entry). Listeners subscribe per directory; delivery is
 * synchronous, after the change is stored. A protocol may add what only it sees: an entry's
 * attributes or content changed ('modified'), or the directory itself about to be deleted
 * ('delete-pending', with an empty name).
 */
export type DirChangeAction = 'added' | 'removed' | 'renamed-from' | 'renamed-to' | 'modified' | 'delete-pending';

export interface DirChange {
  action: DirChangeAction;
  name: string;
  /** Whether the entry is a directory, when known (SMB filters file and directory names apart). */
  directory?: boolean;
}

export class ChangeFeed {
  private readonly listeners = new Map<string, Set<(c: DirChange) => void>>();

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

  emit(key: string, ...changes: DirChange[]): void {
    const set = this.listeners.get(key);
    if (set === undefined) return;
    for (const fn of [...set]) for (const c of changes) fn(c);
  }
}
