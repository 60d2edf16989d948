import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { isPostgresUrl, type Config } from '../config/schema.ts';
import type { AdapterConfig, AdapterType } from '../controlplane/models.ts';
import { openControlPlaneStore } from '../controlplane/store/open.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import { MetadataService } from '../metadata/service.ts';
import { PayloadService } from '../payload/service.ts';
import { openStoreJournal, removeStoreJournal } from './journals.ts';
import { hasStoreOffload, openSharedStore, openStoreOffload, removeStoreOffload } from './offload.ts';
import { OffloaderAdmin } from './offloader-admin.ts';
import { AuthService } from '../auth/tokens.ts';
import { AccessIndex } from './access.ts';
import { AdaptersService, type OverridableField } from './adapters.ts';
import { AlertsService } from './alerts.ts';
import { ClusterService } from './cluster.ts';
import { DatabaseHealth } from './database-health.ts';
import { readiness, type RemoteCheck } from './readiness.ts';
import { VERSION } from '../version.ts';
import { EventHub } from './events.ts';
import { FoldersService } from './folders.ts';
import { StoreIdentities } from './identities.ts';
import { ADMIN_USERNAME, ensureAdmin, type AdminBootstrap } from './identity.ts';
import { MountsService } from './mounts.ts';
import { localNetworks } from './networks.ts';
import { connectAddresses, connectInfo } from './connect.ts';
import { SessionsService } from './sessions.ts';
import { ShareUsageCache } from './share-usage.ts';
import { SettingsService } from './settings.ts';
import { StoreAdmin } from './store-admin.ts';
import { SharesService } from './shares.ts';
import { StoresService } from './stores.ts';
import type { AdapterFactory, ProtocolRuntime } from './types.ts';
import { UsersService } from './users.ts';
import { statsSnapshot } from './stats.ts';
import type { ConnectInfoDto, Launcher, NetworkDto, StatsDto } from '../../shared/api/schemas.ts';
import type { InstanceReportDto, ReadinessDto } from '../../shared/api/cluster.ts';

/** A readiness probe of an S3 endpoint that takes longer counts as unreachable. */
const REMOTE_PING_TIMEOUT_MS = 3000;

export const DEFAULT_METADATA_STORE = 'default-metadata';
export const DEFAULT_PAYLOAD_STORE = 'default-payload';

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  /** Protocol adapter factories by type (the NFS and SMB listeners of this build). */
  factories: Partial<Record<AdapterType, AdapterFactory>>;
  /** Listener settings from the environment, applied over the persisted ones at start. */
  adapterOverrides?: Partial<Record<AdapterType, Partial<Pick<AdapterConfig, 'enabled' | 'port' | 'bind'>>>>;
  adminInitialPassword?: string;
  /** DITTOFS_CONTROLPLANE_SECRET: the API token signing secret (else generated and kept in the control plane). */
  controlplaneSecret?: string;
  /** Who started the server (the UI says "runs as a service" only when one did). */
  launcher?: Launcher;
}

/**
 * The single entrypoint of the server: API handlers, IPC and start-up code call it, and it
 * keeps the persistent control plane and the live state (stores, shares, mounts, running
 * adapters) in step.
 */
export class Runtime implements ProtocolRuntime {
  readonly metadata = new MetadataService();
  readonly payload: PayloadService;
  readonly mounts = new MountsService();
  readonly bootVerifier = randomBytes(8);
  get stateDir(): string {
    return this.config.dataDir;
  }
  readonly startedAt = new Date();
  readonly identities: StoreIdentities;
  readonly stores: StoresService;
  readonly offloader: OffloaderAdmin;
  /** Share access by uid, rebuilt on every change of users, groups, grants or shares. */
  readonly access: AccessIndex;
  readonly folders: FoldersService;
  readonly shares: SharesService;
  readonly adapters: AdaptersService;
  // Control plane (issue 4): users/groups/permissions, API auth, settings, live events, alerts.
  readonly settings: SettingsService;
  readonly users: UsersService;
  readonly auth: AuthService;
  readonly events: EventHub;
  readonly alerts: AlertsService;
  /** Reachability and pool use of the PostgreSQL databases in use (issue 16). */
  readonly databases: DatabaseHealth;
  /** This instance in the cluster view: heartbeat and the list of instances (issue 16). */
  readonly cluster: ClusterService;
  readonly storeAdmin: StoreAdmin;
  readonly sessions: SessionsService;
  readonly usage: ShareUsageCache;
  readonly logger: Logger;
  readonly config: Config;
  readonly launcher: Launcher;

  private constructor(
    readonly store: ControlPlaneStore,
    private readonly options: RuntimeOptions,
  ) {
    this.config = options.config;
    this.launcher = options.launcher ?? 'manual';
    this.logger = options.logger;
    this.payload = new PayloadService({ sliceCacheBytes: this.config.cache.memoryBytes });
    this.identities = new StoreIdentities(store);
    this.stores = new StoresService(
      store,
      {
        dataDir: this.config.dataDir,
        controlPlaneDatabase: isPostgresUrl(this.config.controlplane.database)
          ? undefined
          : this.config.controlplane.database,
      },
      this.logger,
      {
        open: (name, blocks) =>
          openStoreJournal(name, blocks, this.payload.slices, this.config, this.logger, () => this.alerts),
        remove: (name) => removeStoreJournal(name, this.config),
      },
      {
        open: (name, remote) => openStoreOffload(name, remote, this.config, () => this.alerts),
        openShared: (name, remote, index) => openSharedStore(name, remote, index, this.config),
        hasCache: (name) => hasStoreOffload(name, this.config),
        remove: (name) => removeStoreOffload(name, this.config),
      },
    );
    this.offloader = new OffloaderAdmin(this.stores, store);
    this.folders = new FoldersService(store, this.config.dataDir, this.logger);
    this.adapters = new AdaptersService(store, this, this.logger, this.config.shutdownTimeoutMs);
    this.access = new AccessIndex(store);
    this.shares = new SharesService(
      store,
      this.stores,
      this.folders,
      this.metadata,
      this.payload,
      this.access,
      { closed: (share) => this.closeShareSessions(share), changed: () => this.recheckSessions() },
      this.logger,
    );
    for (const [type, factory] of Object.entries(options.factories))
      this.adapters.setFactory(type as AdapterType, factory);
    this.settings = new SettingsService(store);
    this.users = new UsersService(store, this.access, this.logger, () => this.recheckSessions());
    this.auth = new AuthService(store, this.settings, this.logger, { secret: options.controlplaneSecret });
    this.sessions = new SessionsService(this.mounts, this.adapters, this.access, this.logger);
    this.events = new EventHub(this.mounts, this.adapters, this.sessions, this.logger);
    this.alerts = new AlertsService(this.events, this.settings, this.adapters, this.logger, {
      dataDir: this.config.dataDir,
    });
    this.databases = new DatabaseHealth(store, this.stores, this.alerts, {
      intervalMs: this.config.health.databaseCheckMs,
    });
    this.cluster = new ClusterService(
      store,
      {
        addresses: () => connectAddresses().map((a) => a.host),
        ports: () => ({
          nfs: this.adapters.running('nfs')?.port ?? null,
          smb: this.adapters.running('smb')?.port ?? null,
        }),
        report: () => this.instanceReport(),
      },
      this.logger,
      { dataDir: this.config.dataDir, version: VERSION, startedAt: this.startedAt, ...this.config.cluster },
    );
    this.usage = new ShareUsageCache(this.metadata, this.logger);
    this.mounts.on('sample', (s) => this.usage.observe(s));
    this.storeAdmin = new StoreAdmin(store, this.stores, this.logger);
  }

  /**
   * Creates the data dir, opens the control plane (a SQLite file, by default under the data
   * dir, or PostgreSQL: ControlPlaneUnavailable when it cannot be used) and builds the runtime.
   */
  static async open(options: RuntimeOptions): Promise<Runtime> {
    const { config } = options;
    mkdirSync(config.dataDir, { recursive: true });
    const store = await openControlPlaneStore(config.controlplane);
    return new Runtime(store, options);
  }

  /**
   * Brings the server up: first-start defaults, the admin user, every share, every enabled
   * adapter. Returns what the operator must be told once (a generated admin password).
   */
  async start(): Promise<AdminBootstrap> {
    const admin = await ensureAdmin(this.store, this.options.adminInitialPassword, this.logger);
    await this.seedDefaults();
    await this.applyAdapterOverrides();
    await this.auth.init();
    this.events.start();
    this.alerts.start();
    this.databases.start();
    await this.access.rebuild();
    await this.shares.loadAll();
    await this.adapters.startAll();
    await this.cluster.start();
    return admin;
  }

  /** Graceful: adapters drain in-flight calls (up to the deadline), then data is flushed and stores closed. */
  async stop(): Promise<void> {
    await this.cluster.stop();
    this.databases.stop();
    this.alerts.stop();
    this.events.stop();
    await this.adapters.stopAll();
    await this.payload.close();
    // Sizes/mtimes of UNSTABLE writes not yet COMMITted (the data was just flushed above).
    await this.metadata
      .flushAll()
      .catch((err: unknown) => this.logger.error({ err }, 'storing unstable writes failed'));
    await this.stores.closeAll();
    await this.folders.closeAll();
    await this.store.close();
  }

  /** A snapshot of the server for the dashboard and `dfsctl` (see stats.ts). */
  stats(): Promise<StatsDto> {
    return statsSnapshot(this);
  }

  /** Whether this instance can serve now (/health/ready): every database and S3 endpoint answers, adapters started. */
  async readiness(): Promise<ReadinessDto> {
    const [databases, remotes] = await Promise.all([this.databases.check(), this.pingRemotes()]);
    return readiness(this.store, this.adapters, databases, remotes);
  }

  /** Probes the endpoint of every S3 store open now. */
  private async pingRemotes(): Promise<RemoteCheck[]> {
    const stores = await this.stores.offloadedStores();
    return Promise.all(
      Array.from(stores, async ([name, store]) => ({
        name,
        error: await store.ping(REMOTE_PING_TIMEOUT_MS).then(
          () => undefined,
          (err: unknown) => (err instanceof Error ? err.message : String(err)),
        ),
      })),
    );
  }

  /** What this instance tells the others with each heartbeat. */
  private async instanceReport(): Promise<InstanceReportDto> {
    const [databases, remotes] = await Promise.all([this.databases.check(), this.pingRemotes()]);
    return {
      sessions: this.sessions.list().filter((m) => m.state === 'connected').length,
      health: await readiness(this.store, this.adapters, databases, remotes),
      databases: databases.map((d) => ({ name: d.name, error: d.error ?? null, pool: d.pool })),
    };
  }

  /** The networks this computer is on: what "everyone on my network" allows. */
  networks(): NetworkDto[] {
    return localNetworks();
  }

  /** How other devices connect: addresses (best first) and the running adapters' ports. */
  connectInfo(): Promise<ConnectInfoDto> {
    const { portmapper } = this.config.nfs;
    return connectInfo(this.adapters, portmapper.enabled && portmapper.port === 111);
  }

  /** Ends every live session of a share on all protocols. */
  closeShareSessions(share: string): void {
    this.adapters.disconnect({ share });
    this.mounts.removeShare(share);
  }

  /**
   * After a change of guests, users, grants or share rules: the protocols end the live
   * sessions and tree connects it no longer allows (SMB; NFS checks each request anyway).
   */
  recheckSessions(): Promise<number> {
    return this.adapters.recheckAccess();
  }

  /** An empty control plane gets the laptop defaults: one share on embedded persistent stores. */
  private async seedDefaults(): Promise<void> {
    const { defaults, nfs, smb } = this.config;
    if ((await this.store.listAdapters()).length === 0) {
      await this.store.createAdapter({
        type: 'nfs',
        enabled: nfs.enabled,
        port: nfs.port,
        bind: nfs.bind,
        settings: {},
      });
      await this.store.createAdapter({
        type: 'smb',
        enabled: smb.enabled,
        port: smb.port,
        bind: smb.bind,
        settings: {},
      });
    }
    if ((await this.store.listShares()).length > 0) return;
    if ((await this.store.listMetadataStores()).length === 0) {
      await this.store.createMetadataStore({ name: DEFAULT_METADATA_STORE, type: defaults.metadataStore.type });
    }
    if ((await this.store.listPayloadStores()).length === 0) {
      await this.store.createPayloadStore({ name: DEFAULT_PAYLOAD_STORE, type: defaults.payloadStore.type });
    }
    const [meta] = await this.store.listMetadataStores();
    const [payload] = await this.store.listPayloadStores();
    if (!meta || !payload) return;
    await this.store.createShare({ name: defaults.share, metadataStore: meta.name, payloadStore: payload.name });
    // The admin may use the default share over authenticated protocols (SMB) at once.
    await this.store.setSharePermission({
      share: defaults.share,
      principalType: 'user',
      principal: ADMIN_USERNAME,
      access: 'write',
    });
    this.logger.info({ share: defaults.share }, 'created the default share');
  }

  private async applyAdapterOverrides(): Promise<void> {
    for (const [type, patch] of Object.entries(this.options.adapterOverrides ?? {})) {
      if (!patch || Object.keys(patch).length === 0) continue;
      await this.store.updateAdapter(type as AdapterType, patch);
      this.adapters.setOverridden(type as AdapterType, Object.keys(patch) as OverridableField[]);
    }
  }
}
