import type { Logger } from 'pino';
import { REDACTED, type MetadataStoreDto, type PayloadStoreDto, type StoreHealth } from '../../shared/api/schemas.ts';
import { DittoError } from '../../shared/errors.ts';
import type { MetadataStoreType, PayloadStoreType, StoreConfig } from '../controlplane/models.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { StoresService } from './stores.ts';

type Kind = 'metadata' | 'payload';
const SECRET_KEY = /secret|password|passwd|token|credential|private/i;

/** A URL's password (scheme://user:password@host) as REDACTED. */
const redactUrl = (v: string): string => v.replace(/(\/\/[^:/@\s]+:)[^@/\s]+@/, `$1${REDACTED}@`);

/** Whether a value hides a secret: REDACTED itself, or a URL whose password is REDACTED. */
export const isRedacted = (v: unknown): boolean =>
  v === REDACTED || (typeof v === 'string' && v.includes(`:${REDACTED}@`));

/** Hides secret option values (keys that name a secret, passwords inside URLs). */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '') out[k] = REDACTED;
    else if (typeof v === 'string') out[k] = redactUrl(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = redactConfig(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** A new config where REDACTED placeholders (sent back unchanged by a form) keep the old values. */
export function keepRedacted(next: Record<string, unknown>, prev: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    const before = prev[k];
    if (v === REDACTED && k in prev) out[k] = before;
    // A URL as the API shows it (its password REDACTED) keeps the saved URL it was shown for.
    else if (isRedacted(v) && typeof before === 'string' && redactUrl(before) === v) out[k] = before;
    else if (v && typeof v === 'object' && !Array.isArray(v) && prev[k] && typeof prev[k] === 'object') {
      out[k] = keepRedacted(v as Record<string, unknown>, prev[k] as Record<string, unknown>);
    } else out[k] = v;
  }
  return out;
}

/** Whether two S3 store configs name the same place: bucket and key prefix. */
/** Where an S3 store's blocks are: its bucket, key prefix and block index (database and schema). */
const sameBucketAndPrefix = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => {
  const index = (c: Record<string, unknown>) => {
    const i = c['blockIndex'] as { url?: unknown; schema?: unknown } | undefined;
    // A new password reaches the same database.
    const url = typeof i?.url === 'string' ? i.url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1@') : i?.url;
    return JSON.stringify([url, i?.schema]);
  };
  return a['bucket'] === b['bucket'] && (a['prefix'] ?? '') === (b['prefix'] ?? '') && index(a) === index(b);
};

/**
 * Named metadata and payload stores as the API manages them: listed with the shares that
 * use them, created by proving they open, changed (an S3 store's connection even in use),
 * probed for health.
 */
export class StoreAdmin {
  constructor(
    private readonly store: ControlPlaneStore,
    private readonly stores: StoresService,
    private readonly logger: Logger,
  ) {}

  async list(kind: 'metadata'): Promise<MetadataStoreDto[]>;
  async list(kind: 'payload'): Promise<PayloadStoreDto[]>;
  async list(kind: Kind): Promise<(MetadataStoreDto | PayloadStoreDto)[]> {
    const configs = kind === 'metadata' ? await this.store.listMetadataStores() : await this.store.listPayloadStores();
    const shares = await this.store.listShares();
    return configs.map((c) => this.dto(kind, c, shares));
  }

  async get(kind: 'metadata', name: string): Promise<MetadataStoreDto>;
  async get(kind: 'payload', name: string): Promise<PayloadStoreDto>;
  async get(kind: Kind, name: string): Promise<MetadataStoreDto | PayloadStoreDto> {
    const cfg = await this.config(kind, name);
    return this.dto(kind, cfg, await this.store.listShares());
  }

  async createMetadata(input: {
    name: string;
    type: MetadataStoreType;
    config?: Record<string, unknown>;
  }): Promise<MetadataStoreDto> {
    await this.stores.createMetadataStore(input);
    this.logger.info({ store: input.name, type: input.type }, 'metadata store created');
    return this.get('metadata', input.name);
  }

  async createPayload(input: {
    name: string;
    type: PayloadStoreType;
    config?: Record<string, unknown>;
  }): Promise<PayloadStoreDto> {
    await this.stores.createPayloadStore(input);
    this.logger.info({ store: input.name, type: input.type }, 'payload store created');
    return this.get('payload', input.name);
  }

  /**
   * New options for a store. An S3 store's connection (keys, endpoint, region, timeouts)
   * changes in use, as keys get rotated: the bucket is reached with the new options before
   * they are saved. Any other change is for a store no share uses: it is closed, saved with
   * the new options and reopened to prove they work (the old options are restored if not).
   */
  async update(kind: 'metadata', name: string, config: Record<string, unknown>): Promise<MetadataStoreDto>;
  async update(kind: 'payload', name: string, config: Record<string, unknown>): Promise<PayloadStoreDto>;
  async update(kind: Kind, name: string, config: Record<string, unknown>): Promise<MetadataStoreDto | PayloadStoreDto> {
    const before = await this.config(kind, name);
    const next = keepRedacted(config, before.config);
    const s3 = kind === 'payload' && before.type === 's3';
    if (s3 && sameBucketAndPrefix(next, before.config)) {
      await this.stores.reconnectS3Store(before.name, next);
      this.logger.info({ store: before.name, kind }, 'S3 connection options changed');
      return this.get('payload', before.name);
    }
    const users = await this.usedBy(kind, before.name);
    if (users.length > 0) {
      const why = s3 ? 'its bucket, key prefix and block index hold their files and cannot change' : 'detach it first';
      throw new DittoError('IN_USE', `${kind} store "${before.name}" is used by ${users.join(', ')}: ${why}`);
    }
    const create = (cfg: Record<string, unknown>) =>
      kind === 'metadata'
        ? this.stores.createMetadataStore({ name: before.name, type: before.type as MetadataStoreType, config: cfg })
        : this.stores.createPayloadStore({ name: before.name, type: before.type as PayloadStoreType, config: cfg });
    await this.delete(kind, before.name);
    try {
      await create(next);
    } catch (err) {
      await create(before.config).catch(() => undefined);
      throw err;
    }
    this.logger.info({ store: before.name, kind }, 'store options changed');
    return kind === 'metadata' ? this.get('metadata', before.name) : this.get('payload', before.name);
  }

  /** IN_USE while a share uses it. */
  async delete(kind: Kind, name: string): Promise<void> {
    const cfg = await this.config(kind, name);
    const users = await this.usedBy(kind, cfg.name);
    if (users.length > 0) throw new DittoError('IN_USE', `${kind} store "${cfg.name}" is used by ${users.join(', ')}`);
    if (kind === 'metadata') await this.stores.deleteMetadataStore(cfg.name);
    else await this.stores.deletePayloadStore(cfg.name);
    this.logger.info({ store: cfg.name, kind }, 'store deleted');
  }

  /** Opens the store (if not yet open) and asks it something cheap. */
  async health(kind: Kind, name: string): Promise<StoreHealth> {
    const cfg = await this.config(kind, name);
    const t0 = performance.now();
    const base = { name: cfg.name, kind, type: cfg.type };
    try {
      if (kind === 'metadata') {
        const s = await this.stores.metadataStore(cfg.name);
        const [objects, space] = await Promise.all([s.fileCount(), s.space()]);
        return { ...base, healthy: true, latencyMs: performance.now() - t0, objects, space };
      }
      const s = await this.stores.payloadStore(cfg.name);
      const [stats, journal] = await Promise.all([s.stats(), this.stores.openedJournal(cfg.name)]);
      const log = journal?.stats();
      const writeLog = log && { bytes: log.bytes, capBytes: log.capBytes, carveBacklogFiles: log.carveBacklogFiles };
      return {
        ...base,
        healthy: true,
        latencyMs: performance.now() - t0,
        objects: stats.blocks,
        bytes: stats.bytes,
        writeLog,
      };
    } catch (err) {
      return { ...base, healthy: false, error: (err as Error).message, latencyMs: performance.now() - t0 };
    }
  }

  private config(kind: Kind, name: string): Promise<StoreConfig<string>> {
    return kind === 'metadata' ? this.store.getMetadataStore(name) : this.store.getPayloadStore(name);
  }

  private async usedBy(kind: Kind, name: string): Promise<string[]> {
    const shares = await this.store.listShares();
    return shares
      .filter((s) => (kind === 'metadata' ? s.metadataStore : s.payloadStore).toLowerCase() === name.toLowerCase())
      .map((s) => s.name);
  }

  private dto(
    kind: Kind,
    c: StoreConfig<string>,
    shares: { name: string; metadataStore: string; payloadStore: string }[],
  ) {
    const usedBy = shares
      .filter((s) => (kind === 'metadata' ? s.metadataStore : s.payloadStore) === c.name)
      .map((s) => s.name);
    return {
      name: c.name,
      type: c.type,
      config: redactConfig(c.config),
      usedBy,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    } as MetadataStoreDto & PayloadStoreDto;
  }
}
