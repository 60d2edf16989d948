import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { NewShare, Share, SharePatch } from '../controlplane/models.ts';
import type { MetadataService } from '../metadata/service.ts';
import type { PayloadService } from '../payload/service.ts';
import type { AccessIndex } from './access.ts';
import type { FoldersService } from './folders.ts';
import type { StoresService } from './stores.ts';
import type { ShareInfo, SharesView } from './types.ts';

/**
 * A new share's root is world-writable: clients mount with their own uids (and root is
 * squashed by default), and a personal NAS should accept files from all of them.
 */
const SHARE_ROOT = { uid: 0, gid: 0, mode: 0o777 };

function toInfo(share: Share, access: AccessIndex): ShareInfo {
  return {
    name: share.name,
    id: share.id,
    enabled: share.enabled,
    smb: share.protocols.smb,
    smbRules: { ...share.smb, guestAccess: share.guestAccess },
    export: {
      readOnly: share.readOnly,
      squash: share.squash,
      anonUid: share.anonUid,
      anonGid: share.anonGid,
      access: access.resolver(share.name),
      allowedNetworks: share.allowedNetworks,
    },
  };
}

/** What live sessions learn of share changes. */
export interface ShareSessionHooks {
  /** The share stopped serving (disabled or deleted): end its live sessions. */
  closed(share: string): void;
  /** Its rules changed (guest access, host lists, ...): end what they no longer allow. */
  changed(): Promise<unknown>;
}

/** How a folder share's folder may be taken (what the user confirmed). */
export interface FolderConsent {
  /** Make the folder if it does not exist. */
  createFolder?: boolean;
  /** Share it although it lies inside or around another share's folder. */
  allowNested?: boolean;
}

/**
 * Shares sub-service: each share maps to a named metadata store and payload store, or
 * (a folder share) to the folder store of its folder. Every change is persisted and
 * applied to the live services (and the access tables) in one call.
 */
export class SharesService implements SharesView {
  private readonly live = new Map<string, ShareInfo>();
  /** Real path of each registered folder share's folder. */
  private readonly folderOf = new Map<string, string>();

  constructor(
    private readonly store: ControlPlaneStore,
    private readonly stores: StoresService,
    private readonly folders: FoldersService,
    private readonly metadata: MetadataService,
    private readonly payload: PayloadService,
    private readonly access: AccessIndex,
    private readonly sessions: ShareSessionHooks,
    private readonly logger: Logger,
  ) {}

  get(name: string): ShareInfo | undefined {
    return this.live.get(name);
  }

  list(): ShareInfo[] {
    return [...this.live.values()];
  }

  /** Registers every persisted share; a share whose store fails to open is logged and skipped. */
  async loadAll(): Promise<void> {
    for (const share of await this.store.listShares()) {
      try {
        await this.register(share);
      } catch (err) {
        this.logger.error({ share: share.name, err: (err as Error).message }, 'share could not be loaded');
      }
    }
  }

  async create(input: NewShare, consent: FolderConsent = {}): Promise<Share> {
    // Check the folder, or open the stores, first so a share never exists that cannot serve.
    if (input.kind === 'folder') {
      const folder = input.path ?? '';
      await this.folders.requireShareable(folder, { create: consent.createFolder, allowNested: consent.allowNested });
      input = { ...input, path: path.resolve(folder) };
    } else {
      await this.stores.metadataStore(input.metadataStore ?? '');
      await this.stores.payloadStore(input.payloadStore ?? '');
    }
    const share = await this.store.createShare(input);
    try {
      await this.register(share);
    } catch (err) {
      await this.store.deleteShare(share.name);
      throw err;
    }
    await this.access.rebuild();
    this.logger.info({ share: share.name }, 'share created');
    return share;
  }

  async update(name: string, patch: SharePatch, consent: FolderConsent = {}): Promise<Share> {
    const before = await this.store.getShare(name);
    if (before.kind === 'folder' && patch.path !== undefined && patch.path !== before.path) {
      await this.folders.requireShareable(patch.path, { allowNested: consent.allowNested, exceptShare: name });
      patch = { ...patch, path: path.resolve(patch.path) };
    }
    const share = await this.store.updateShare(name, patch);
    const storesChanged =
      before.metadataStore !== share.metadataStore ||
      before.payloadStore !== share.payloadStore ||
      before.path !== share.path;
    if (storesChanged) {
      await this.unregister(name);
      await this.register(share);
    } else {
      const info = toInfo(share, this.access);
      this.live.set(name, info);
      this.metadata.updateShare(name, { options: info.export, enabled: info.enabled });
      this.payload.setDurability(name, share.durability);
    }
    await this.access.rebuild();
    if (before.enabled && !share.enabled) this.sessions.closed(name);
    else await this.sessions.changed();
    this.logger.info({ share: name, patch: Object.keys(patch) }, 'share updated');
    return share;
  }

  /** Removes the share; its data stays in its stores (or its folder). */
  async delete(name: string): Promise<void> {
    await this.store.deleteShare(name);
    await this.unregister(name);
    this.access.forget(name);
    this.sessions.closed(name);
    this.logger.info({ share: name }, 'share deleted');
  }

  private async register(share: Share): Promise<void> {
    if (share.kind === 'folder') return this.registerFolder(share);
    const metadataStore = await this.stores.metadataStore(share.metadataStore);
    const payloadStore = await this.stores.payloadStore(share.payloadStore);
    // Opening the journal recovers its log: what a crash left there is served from it.
    const journal = await this.stores.payloadJournal(share.payloadStore);
    const info = toInfo(share, this.access);
    await this.metadata.registerShare(share.name, {
      id: share.id,
      store: metadataStore,
      options: info.export,
      enabled: share.enabled,
      root: SHARE_ROOT,
    });
    this.payload.registerShare(share.name, payloadStore, journal, share.durability);
    // Files that lost their last name while open when dfs last stopped go now, content too.
    const orphans = await this.metadata.purgeOrphans(share.name);
    for (const freed of orphans) if (freed.payloadId) await this.payload.delete(share.name, freed.payloadId);
    if (orphans.length > 0)
      this.logger.info({ share: share.name, files: orphans.length }, 'deleted files left open with no name');
    this.live.set(share.name, info);
  }

  /** A folder share is served by its folder's store (shared with other shares on the folder): files and content. */
  private async registerFolder(share: Share): Promise<void> {
    const realPath = realpathSync(share.path);
    const store = await this.folders.acquire(realPath);
    const info = toInfo(share, this.access);
    try {
      await this.metadata.registerShare(share.name, {
        id: share.id,
        store,
        options: info.export,
        enabled: share.enabled,
      });
    } catch (err) {
      await this.folders.release(realPath);
      throw err;
    }
    this.payload.registerDirectShare(share.name, store.content);
    this.folderOf.set(share.name, realPath);
    this.live.set(share.name, info);
  }

  private async unregister(name: string): Promise<void> {
    this.metadata.unregisterShare(name);
    this.live.delete(name);
    await this.payload.unregisterShare(name);
    const folder = this.folderOf.get(name);
    this.folderOf.delete(name);
    if (folder !== undefined) await this.folders.release(folder);
  }
}
