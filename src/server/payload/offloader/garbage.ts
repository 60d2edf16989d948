/**
 * The offloader's mark and sweep: contents no key has referenced for the grace period are
 * deleted from S3 and the local cache (a content waiting for or in upload, or being read, is
 * left for the next run), then the bucket's strays go too (stray-sweep.ts).
 */
import type { CacheFiles } from './cache-files.ts';
import { sweepStrays, type StrayScope } from './stray-sweep.ts';

export interface GcReport {
  at: string;
  blocks: number;
  bytes: number;
  ms: number;
}

export interface GcScope extends StrayScope {
  files: CacheFiles;
  /** A content an upload or a reader still needs. */
  busy: (hash: string) => boolean;
  /** A cached content of `size` bytes left the local cache. */
  uncached: (size: number) => void;
}

export const remoteKey = (hash: string): string => `cas/${hash}`;

export async function collectGarbage(scope: GcScope, graceMs: number): Promise<GcReport> {
  const { remote, index, files } = scope;
  const started = Date.now();
  let blocks = 0;
  let bytes = 0;
  for (const row of index.garbage(started - graceMs)) {
    if (scope.busy(row.hash)) continue;
    const freed = await scope.locked(row.hash, async () => {
      if (index.referenced(row.hash) || index.content(row.hash) === undefined) return false;
      if (row.uploaded === 1) await remote.delete(remoteKey(row.hash));
      index.deleteContent(row.hash);
      if (row.cached === 1) {
        await files.remove(row.hash);
        scope.uncached(row.size);
      }
      return true;
    });
    if (freed) {
      blocks++;
      bytes += row.size;
    }
  }
  blocks += await sweepStrays(scope, graceMs);
  return { at: new Date(started).toISOString(), blocks, bytes, ms: Date.now() - started };
}
