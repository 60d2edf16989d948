/** Gauges of the offloaders of S3 stores (dittofs_offloader_*) and their local caches (dittofs_cache_*), by store. */
import { Gauge, type Registry } from 'prom-client';
import type { OffloadStats } from '../payload/offloader/offload-options.ts';
import type { Runtime } from '../runtime/runtime.ts';

const GAUGES: [name: string, help: string, pick: (s: OffloadStats) => number][] = [
  ['dittofs_offloader_pending_blocks', 'Blocks in the local cache not yet uploaded to S3', (s) => s.pendingBlocks],
  ['dittofs_offloader_pending_bytes', 'Bytes in the local cache not yet uploaded to S3', (s) => s.pendingBytes],
  ['dittofs_offloader_upload_bytes_per_second', 'Upload goodput over the last few seconds', (s) => s.rateBytesPerSec],
  ['dittofs_offloader_parallel_uploads', 'Parallel uploads the queue settled on', (s) => s.parallel],
  ['dittofs_offloader_uploaded_bytes', 'Bytes uploaded since dfs started', (s) => s.uploadedBytes],
  ['dittofs_offloader_failing', '1 while uploads fail (S3 unreachable)', (s) => (s.failing ? 1 : 0)],
  [
    'dittofs_offloader_dedup_saved_bytes',
    'Bytes not stored because the same content was already stored',
    (s) => s.dedupSavedBytes,
  ],
  ['dittofs_offloader_stored_bytes', 'Bytes of distinct contents the store holds', (s) => s.storedBytes],
  ['dittofs_offloader_gc_freed_bytes', 'Bytes the last GC freed', (s) => s.lastGc?.bytes ?? 0],
  ['dittofs_cache_used_bytes', 'Local cache in use in front of each S3 store', (s) => s.cacheUsedBytes],
  ['dittofs_cache_cap_bytes', 'Local cache cap of each S3 store (cache.offloadBytes)', (s) => s.cacheCapBytes],
];

export function registerOffloaderMetrics(registers: Registry[], runtime: Runtime): void {
  for (const [name, help, pick] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['store'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [store, o] of await runtime.stores.offloadedStores()) this.set({ store }, pick(o.offloadStats()));
      },
    });
  }
}
