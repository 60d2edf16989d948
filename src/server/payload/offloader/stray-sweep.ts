/**
 * The GC's second half: the bucket itself is listed for objects (`cas/<hash>`) that no
 * content row of the index knows — left by a crash between an upload and its index update,
 * or by an index that was reset — and each is deleted once listings have seen it unknown
 * for the grace period. The check and the delete run under the content's lock, so an
 * upload of the same content that starts meanwhile is never undone. This assumes the
 * store's bucket prefix belongs to this offloader alone (block keys map to contents only in
 * this index, so another server could not read through these objects anyway).
 */
import type { BlockStore } from '../blockstore.ts';
import type { OffloadIndex } from './index-db.ts';

export interface StrayScope {
  remote: BlockStore;
  index: OffloadIndex;
  /** Runs `op` holding the lock uploads and puts of `hash` take. */
  locked: (hash: string, op: () => Promise<boolean>) => Promise<boolean>;
}

const PREFIX = 'cas/';

/** Deletes the strays seen for at least `graceMs`; returns how many. */
export async function sweepStrays(scope: StrayScope, graceMs: number): Promise<number> {
  const { remote, index } = scope;
  const listedAt = Date.now();
  let deleted = 0;
  for await (const key of remote.list(PREFIX)) {
    const hash = key.slice(PREFIX.length);
    if (index.content(hash) !== undefined) continue;
    if (index.seeStray(hash, listedAt) > listedAt - graceMs) continue;
    const gone = await scope.locked(hash, async () => {
      if (index.content(hash) !== undefined) return false;
      await remote.delete(key);
      index.dropStray(hash);
      return true;
    });
    if (gone) deleted++;
  }
  index.forgetStrays(listedAt);
  return deleted;
}
