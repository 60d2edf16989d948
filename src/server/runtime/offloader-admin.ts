/**
 * The API's view of the offloaders: their stats, and drain, GC and evict on demand; and of
 * the shared S3 stores (block index in PostgreSQL), which have no upload backlog but are
 * collected the same way.
 */
import type { OffloaderDto, SharedStoreDto } from '../../shared/api/offloader.ts';
import { DittoError } from '../../shared/errors.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { GcReport } from '../payload/offloader/garbage.ts';
import type { OffloadedBlockStore } from '../payload/offloader/offloaded-store.ts';
import type { SharedBlockStore } from '../payload/offloader/shared/shared-store.ts';
import { parseS3Config } from '../payload/stores/s3/config.ts';
import { postgresWhere } from '../postgres/probe.ts';
import type { StoresService } from './stores.ts';

const HOUR_S = 3600;
/** A block index that does not answer within this is shown unreachable (the list is polled). */
const INDEX_PING_MS = 2000;

function dto(store: string, o: OffloadedBlockStore): OffloaderDto {
  const s = o.offloadStats();
  return {
    store,
    pendingBlocks: s.pendingBlocks,
    pendingBytes: s.pendingBytes,
    uploadBytesPerSec: Math.round(s.rateBytesPerSec),
    parallelUploads: s.parallel,
    uploadedBlocks: s.uploadedBlocks,
    uploadedBytes: s.uploadedBytes,
    failing: s.failing,
    cacheUsedBytes: s.cacheUsedBytes,
    cacheCapBytes: s.cacheCapBytes,
    storedBlocks: s.storedBlocks,
    storedBytes: s.storedBytes,
    dedupSavedBytes: s.dedupSavedBytes,
    lastGc: s.lastGc ?? null,
  };
}

async function sharedDto(store: string, config: Record<string, unknown>, s: SharedBlockStore): Promise<SharedStoreDto> {
  const { bucket, prefix, endpoint, blockIndex } = parseS3Config(config);
  const error = await s.poolHealth.ping(INDEX_PING_MS).then(
    () => null,
    (err: unknown) => (err as Error).message,
  );
  // Counted only while the index answers: the list must not wait on a database that is down.
  const totals = error === null ? await s.stats().catch(() => undefined) : undefined;
  const cache = s.cacheUse();
  return {
    store,
    bucket,
    prefix: prefix ?? '',
    endpoint: endpoint ?? null,
    blockIndex: { database: blockIndex ? postgresWhere(blockIndex.url) : '', reachable: error === null, error },
    cacheUsedBytes: cache.usedBytes,
    cacheCapBytes: cache.capBytes,
    storedBlocks: totals?.blocks ?? null,
    storedBytes: totals?.bytes ?? null,
    lastGc: s.lastGc ?? null,
  };
}

export class OffloaderAdmin {
  constructor(
    private readonly stores: StoresService,
    private readonly store: ControlPlaneStore,
  ) {}

  async list(): Promise<OffloaderDto[]> {
    return [...(await this.stores.offloadedStores())].map(([name, o]) => dto(name, o));
  }

  async shared(): Promise<SharedStoreDto[]> {
    const shared = await this.stores.sharedStores();
    return Promise.all(
      [...shared].map(async ([name, s]) => sharedDto(name, (await this.store.getPayloadStore(name)).config, s)),
    );
  }

  async drain(name: string): Promise<OffloaderDto> {
    const o = await this.get(name);
    // Everything written: the write log's data carved into blocks first, then uploaded.
    await (await this.stores.openedJournal(name))?.drain();
    await o.drain();
    return dto(name, o);
  }

  async gc(name: string, graceSeconds = HOUR_S): Promise<GcReport> {
    const store = (await this.stores.sharedStores()).get(name) ?? (await this.get(name));
    return store.gc(graceSeconds * 1000);
  }

  async evict(name: string): Promise<{ bytes: number }> {
    return { bytes: await (await this.get(name)).evictAll() };
  }

  private async get(name: string): Promise<OffloadedBlockStore> {
    const o = (await this.stores.offloadedStores()).get(name);
    if (o !== undefined) return o;
    if ((await this.stores.sharedStores()).has(name)) {
      throw new DittoError(
        'VALIDATION',
        `Store ${name} is shared by several instances: its writes are in S3 when they return (nothing to drain), and its local copies of contents make room by themselves.`,
      );
    }
    throw new DittoError('NOT_FOUND', `No S3 store named ${name} is open.`);
  }
}
