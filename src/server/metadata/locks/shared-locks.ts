/**
 * The byte-range locks of files that several dfs instances serve (a metadata store on
 * PostgreSQL): a table every instance sees, so a lock taken through one instance conflicts
 * with those taken through the others (docs/cluster.md, "Locks"). The LockManager keeps each
 * instance's own locks in memory as for every file, and stores them here too.
 */
import type { ByteRangeLock } from './lock-manager.ts';

/** An owner's locks on a file, all of them: what replaces its stored ones. */
export interface OwnerLocks {
  owner: string;
  locks: readonly ByteRangeLock[];
}

export interface SharedLockTable {
  /** The locks other instances alive now hold on the file (owners prefixed with their instance). */
  foreign(fileid: number): Promise<ByteRangeLock[]>;
  /**
   * Runs `decide` holding the file's cluster-wide lock, given the locks other live instances
   * hold on it; the owners' locks it returns replace theirs in the table in the same
   * transaction (none: nothing changes). Fails (RETRY_LATER) when the database cannot be
   * reached: the caller then undoes what `decide` did.
   */
  withFile(fileid: number, decide: (foreign: readonly ByteRangeLock[]) => OwnerLocks[]): Promise<void>;
}
