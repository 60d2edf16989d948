import type { Logger } from 'pino';
import { DittoError, isDittoError } from '../../shared/errors.ts';
import type {
  MetadataStoreConfig,
  MetadataStoreType,
  NewStoreConfig,
  PayloadStoreConfig,
  PayloadStoreType,
} from '../controlplane/models.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { Journal, JournalStats } from '../cache/journal.ts';
import type { MetadataStore } from '../metadata/store.ts';
import { MemoryMetadataStore } from '../metadata/stores/memory/memory-store.ts';
import { PostgresMetadataStore } from '../metadata/stores/postgres/postgres-store.ts';
import { SqliteMetadataStore } from '../metadata/stores/sqlite/sqlite-store.ts';
import type { BlockStore } from '../payload/blockstore.ts';
import { FsBlockStore } from '../payload/stores/fs/fs-store.ts';
import { MemoryBlockStore } from '../payload/stores/memory/memory-store.ts';
import { OffloadedBlockStore } from '../payload/offloader/offloaded-store.ts';
import { ReconnectingBlockStore } from '../payload/offloader/reconnecting-store.ts';
import { SharedBlockStore } from '../payload/offloader/shared/shared-store.ts';
import { parseS3Config } from '../payload/stores/s3/config.ts';
import { S3BlockStore } from '../payload/stores/s3/s3-store.ts';
import type { PostgresConfig } from '../postgres/config.ts';
import { checkPlacement, storeLocation, type NamedStore, type OwnFiles } from './store-paths.ts';

/** The journals (slice cache + write log) of durable payload stores, kept under the data dir. */
export interface StoreJournals {
  /** Opens a store's journal, replaying its log. */
  open(name: string, store: BlockStore): Promise<Journal>;
  /** Removes a deleted store's log: a new store of the same name must not replay its records. */
  remove(name: string): Promise<void>;
}

/** The local caches (offloaders) in front of S3 stores, kept under the data dir. */
export interface StoreOffloads {
  open(name: string, remote: BlockStore): Promise<OffloadedBlockStore>;
  /** A store whose block index is in PostgreSQL (`index`), servable by several instances. */
  openShared(name: string, remote: BlockStore, index: PostgresConfig): Promise<SharedBlockStore>;
  /** Whether the store has a cache from an earlier run. */
  hasCache(name: string): Promise<boolean>;
  /** Removes a deleted store's cache. */
  remove(name: string): Promise<void>;
}

/**
 * Named stores sub-service: a store is opened once, on first use, and shared by every
 * share that names it. Paths default to the data directory; a new store's path must be
 * its own (store-paths.ts), and a store opens only files it made (its name is recorded in them).
 */
export class StoresService {
  private readonly metadataStores = new Map<string, Promise<MetadataStore>>();
  private readonly payloadStores = new Map<string, Promise<BlockStore>>();
  private readonly journals = new Map<string, Promise<Journal | undefined>>();
  /** The S3 store behind each open offloaded store, swapped when its connection options change. */
  private readonly remotes = new Map<string, ReconnectingBlockStore>();

  constructor(
    private readonly store: ControlPlaneStore,
    private readonly own: OwnFiles,
    private readonly logger: Logger,
    private readonly storeJournals?: StoreJournals,
    private readonly offloads?: StoreOffloads,
  ) {}

  metadataStore(name: string): Promise<MetadataStore> {
    return this.openOnce(this.metadataStores, name, async () =>
      this.openMetadata(await this.store.getMetadataStore(name)),
    );
  }

  payloadStore(name: string): Promise<BlockStore> {
    return this.openOnce(this.payloadStores, name, async () =>
      this.openPayload(await this.store.getPayloadStore(name)),
    );
  }

  /**
   * The journal in front of a payload store, opened (and its log recovered) once; none for
   * a memory store, whose content does not outlive the process anyway.
   */
  payloadJournal(name: string): Promise<Journal | undefined> {
    return this.openOnce(this.journals, name, async () => {
      const store = await this.payloadStore(name);
      const cfg = await this.store.getPayloadStore(name);
      // A shared store's puts are in S3 when they return: a local log would hold what other
      // instances cannot read (docs/cluster.md).
      if (cfg.type === 'memory' || this.storeJournals === undefined || store instanceof SharedBlockStore) {
        return undefined;
      }
      return this.storeJournals.open(name, store);
    });
  }

  /** The journal of a payload store if a share already opened it (a probe does not open one). */
  async openedJournal(name: string): Promise<Journal | undefined> {
    return this.journals.get(name)?.catch(() => undefined);
  }

  /** The metadata stores open now (a failed open is not among them), by name. */
  async openMetadataStores(): Promise<Map<string, MetadataStore>> {
    const out = new Map<string, MetadataStore>();
    for (const [name, p] of this.metadataStores) {
      const store = await p.catch(() => undefined);
      if (store !== undefined) out.set(name, store);
    }
    return out;
  }

  /** The write log and carve backlog of each open journal, by payload store name. */
  async journalStats(): Promise<Map<string, JournalStats>> {
    const out = new Map<string, JournalStats>();
    for (const name of this.journals.keys()) {
      const journal = await this.openedJournal(name);
      if (journal !== undefined) out.set(name, journal.stats());
    }
    return out;
  }

  /** The offloaded (S3) stores open now, by name. */
  offloadedStores(): Promise<Map<string, OffloadedBlockStore>> {
    return this.openPayloadStoresOf((s): s is OffloadedBlockStore => s instanceof OffloadedBlockStore);
  }

  /** The S3 stores with their block index in PostgreSQL, open now, by name. */
  sharedStores(): Promise<Map<string, SharedBlockStore>> {
    return this.openPayloadStoresOf((s): s is SharedBlockStore => s instanceof SharedBlockStore);
  }

  /** The payload stores `is` picks among those open now (a failed open is not among them), by name. */
  private async openPayloadStoresOf<T extends BlockStore>(is: (s: BlockStore) => s is T): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    for (const [name, p] of this.payloadStores) {
      const store = await p.catch(() => undefined);
      if (store !== undefined && is(store)) out.set(name, store);
    }
    return out;
  }

  /** Persists a new store config after proving the store opens with it, in a place of its own. */
  async createMetadataStore(input: NewStoreConfig<MetadataStoreType>): Promise<MetadataStoreConfig> {
    await this.checkPlacement({ kind: 'metadata', name: input.name, type: input.type, config: input.config ?? {} });
    const cfg = await this.store.createMetadataStore(input);
    try {
      await this.metadataStore(cfg.name);
    } catch (err) {
      await this.store.deleteMetadataStore(cfg.name);
      throw err;
    }
    return cfg;
  }

  async createPayloadStore(input: NewStoreConfig<PayloadStoreType>): Promise<PayloadStoreConfig> {
    await this.checkPlacement({ kind: 'payload', name: input.name, type: input.type, config: input.config ?? {} });
    const cfg = await this.store.createPayloadStore(input);
    try {
      await this.payloadStore(cfg.name);
    } catch (err) {
      await this.store.deletePayloadStore(cfg.name);
      throw err;
    }
    return cfg;
  }

  /**
   * New connection options (keys, endpoint, region, timeouts) for an S3 store, in use or not:
   * they are proved by opening the bucket with them, saved, and the open store's requests go
   * to the new connection from then on; its shares keep serving throughout.
   */
  async reconnectS3Store(name: string, config: Record<string, unknown>): Promise<PayloadStoreConfig> {
    const open = (): Promise<BlockStore> => S3BlockStore.open(config);
    const next = await open();
    let saved: PayloadStoreConfig;
    try {
      saved = await this.store.updatePayloadStore(name, config);
    } catch (err) {
      await next.close();
      throw err;
    }
    const remote = this.remotes.get(saved.name);
    if (remote !== undefined) remote.replace(next, open);
    else {
      // Not behind an offloader: the store reopens with the saved options on next use.
      await next.close();
      await this.closeOne(this.payloadStores, saved.name);
    }
    return saved;
  }

  /**
   * IN_USE while a share references it (checked by the control-plane store). Its files stay
   * where they are: a store created again under the same name reopens them.
   */
  async deleteMetadataStore(name: string): Promise<void> {
    await this.store.deleteMetadataStore(name);
    await this.closeOne(this.metadataStores, name);
  }

  async deletePayloadStore(name: string): Promise<void> {
    await this.store.deletePayloadStore(name);
    await this.closeOne(this.journals, name);
    await this.closeOne(this.payloadStores, name);
    this.remotes.delete(name);
    await this.storeJournals?.remove(name);
    await this.offloads?.remove(name);
  }

  async closeAll(): Promise<void> {
    // Journals first: closing one syncs its log, before its store goes.
    await Promise.allSettled([...this.journals.keys()].map((n) => this.closeOne(this.journals, n)));
    const all = [...this.metadataStores.keys()].map((n) => this.closeOne(this.metadataStores, n));
    all.push(...[...this.payloadStores.keys()].map((n) => this.closeOne(this.payloadStores, n)));
    await Promise.allSettled(all);
  }

  private async checkPlacement(store: NamedStore): Promise<void> {
    const [metadata, payload] = await Promise.all([this.store.listMetadataStores(), this.store.listPayloadStores()]);
    const others = [
      ...metadata.map((c): NamedStore => ({ kind: 'metadata', ...c })),
      ...payload.map((c): NamedStore => ({ kind: 'payload', ...c })),
    ].filter((o) => o.kind !== store.kind || o.name !== store.name);
    await checkPlacement(store, others, this.own);
  }

  /** The file (sqlite) or folder (fs) of a store; refuses a relative path of a config made before they were refused. */
  private location(kind: NamedStore['kind'], cfg: MetadataStoreConfig | PayloadStoreConfig): string {
    return storeLocation({ kind, ...cfg }, this.own.dataDir) as string; // defined for sqlite and fs
  }

  private openOnce<T>(cache: Map<string, Promise<T>>, name: string, open: () => Promise<T>): Promise<T> {
    let p = cache.get(name);
    if (!p) {
      p = open();
      cache.set(name, p);
      // A failed open is not cached: the next call retries (e.g. after a config fix).
      p.catch(() => cache.delete(name));
    }
    return p;
  }

  private async closeOne<T extends { close(): Promise<void> } | undefined>(
    cache: Map<string, Promise<T>>,
    name: string,
  ): Promise<void> {
    const p = cache.get(name);
    cache.delete(name);
    if (!p) return;
    try {
      await (await p)?.close();
    } catch (err) {
      this.logger.warn({ store: name, err: (err as Error).message }, 'store close failed');
    }
  }

  private async openMetadata(cfg: MetadataStoreConfig): Promise<MetadataStore> {
    this.logger.info({ store: cfg.name, type: cfg.type }, 'opening metadata store');
    switch (cfg.type) {
      case 'memory':
        return new MemoryMetadataStore();
      case 'sqlite':
        return SqliteMetadataStore.open(this.location('metadata', cfg), { owner: cfg.name });
      case 'postgres':
        return PostgresMetadataStore.open(cfg.config, cfg.name);
      default:
        throw new DittoError('NOT_SUPPORTED', `metadata store type "${cfg.type}" is not available in this build`);
    }
  }

  private async openPayload(cfg: PayloadStoreConfig): Promise<BlockStore> {
    this.logger.info({ store: cfg.name, type: cfg.type }, 'opening payload store');
    switch (cfg.type) {
      case 'memory':
        return new MemoryBlockStore();
      case 'fs':
        return FsBlockStore.open(this.location('payload', cfg), cfg.name);
      case 's3': {
        if (this.offloads === undefined) return S3BlockStore.open(cfg.config);
        const open = (): Promise<BlockStore> => S3BlockStore.open(cfg.config);
        const { blockIndex } = parseS3Config(cfg.config);
        // A store with a local cache from an earlier run, or its index in PostgreSQL, starts
        // even while S3 is unreachable.
        const opened =
          blockIndex !== undefined || (await this.offloads.hasCache(cfg.name))
            ? await open().catch((err: unknown) => {
                if (!isDittoError(err) || err.code !== 'RETRY_LATER') throw err;
                this.logger.warn({ store: cfg.name, err: err.message }, 'S3 unreachable; serving the local cache');
                return undefined;
              })
            : await open();
        const remote = new ReconnectingBlockStore(open, opened);
        this.remotes.set(cfg.name, remote);
        if (blockIndex !== undefined) return this.offloads.openShared(cfg.name, remote, blockIndex);
        return this.offloads.open(cfg.name, remote);
      }
      default:
        throw new DittoError('NOT_SUPPORTED', `payload store type "${cfg.type}" is not available in this build`);
    }
  }
}
