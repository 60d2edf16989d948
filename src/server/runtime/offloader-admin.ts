/** The API's view of the offloaders: their stats, and drain, GC and evict on demand. */
import type { OffloaderDto } from '../../shared/api/offloader.ts';
import { DittoError } from '../../shared/errors.ts';
import type { GcReport } from '../payload/offloader/garbage.ts';
import type { OffloadedBlockStore } from '../payload/offloader/offloaded-store.ts';
import type { StoresService } from './stores.ts';

const HOUR_S = 3600;

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

export class OffloaderAdmin {
  constructor(private readonly stores: StoresService) {}

  async list(): Promise<OffloaderDto[]> {
    return [...(await this.stores.offloadedStores())].map(([name, o]) => dto(name, o));
  }

  async drain(name: string): Promise<OffloaderDto> {
    const o = await this.get(name);
    // Everything written: the write log's data carved into blocks first, then uploaded.
    await (await this.stores.openedJournal(name))?.drain();
    await o.drain();
    return dto(name, o);
  }

  async gc(name: string, graceSeconds = HOUR_S): Promise<GcReport> {
    return (await this.get(name)).gc(graceSeconds * 1000);
  }

  async evict(name: string): Promise<{ bytes: number }> {
    return { bytes: await (await this.get(name)).evictAll() };
  }

  private async get(name: string): Promise<OffloadedBlockStore> {
    const o = (await this.stores.offloadedStores()).get(name);
    if (o === undefined) throw new DittoError('NOT_FOUND', `No S3 store named ${name} is open.`);
    return o;
  }
}
