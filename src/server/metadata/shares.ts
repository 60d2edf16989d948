/** The share registry: which store and root serve a share, and handle <-> share mapping. */
import { DittoError } from '../../shared/errors.ts';
import { newAttr } from './attrs.ts';
import { encodeHandle, parseHandle } from './handles.ts';
import type { FileRecord, MetadataStore, StoreReader } from './store.ts';
import { now } from './time.ts';
import { FileType, type FileHandle, type ShareExportOptions, type Wcc } from './types.ts';

export interface ShareRegistration {
  /** Small stable number (u32) that file handles carry. */
  id: number;
  store: MetadataStore;
  options: ShareExportOptions;
  enabled: boolean;
  /** Owner and mode of the root directory when the share's namespace is created (default 0:0 0755). */
  root?: { uid: number; gid: number; mode: number };
}

export interface ShareSummary {
  name: string;
  id: number;
  enabled: boolean;
  options: ShareExportOptions;
  rootFileId: number;
}

/** A commitWrite not yet applied (file-io.ts merges concurrent writes to one file). */
export interface PendingWrite {
  end: number;
  killSuid: boolean;
  result: Promise<Wcc>;
}

export interface ShareState {
  readonly name: string;
  readonly id: number;
  readonly store: MetadataStore;
  readonly rootId: number;
  options: ShareExportOptions;
  enabled: boolean;
  readonly pendingWrites: Map<number, PendingWrite>;
}

export class ShareRegistry {
  private readonly byName = new Map<string, ShareState>();
  private readonly byId = new Map<number, ShareState>();

  /** Creates the share's root directory in the store unless the namespace exists already. */
  async register(name: string, reg: ShareRegistration): Promise<void> {
    if (!Number.isInteger(reg.id) || reg.id < 0 || reg.id > 0xffffffff) {
      throw new DittoError('INVALID_ARGUMENT', `share id ${reg.id} is not a u32`);
    }
    this.checkFree(name, reg.id);
    const rootId = await reg.store.transaction(async (tx) => {
      const existing = await tx.getRoot(name);
      if (existing !== undefined) return existing;
      const owner = reg.root ?? { uid: 0, gid: 0, mode: 0o755 };
      const rec: FileRecord = {
        attr: newAttr(FileType.Directory, owner.mode, owner.uid, owner.gid, now()),
        root: 0,
        parent: 0,
        target: '',
        verifier: undefined,
      };
      const id = await tx.createFile(rec);
      await tx.putFile({ ...rec, root: id, parent: id });
      await tx.setRoot(name, id);
      return id;
    });
    this.checkFree(name, reg.id);
    const share: ShareState = {
      name,
      id: reg.id,
      store: reg.store,
      rootId,
      options: { ...reg.options },
      enabled: reg.enabled,
      pendingWrites: new Map(),
    };
    this.byName.set(name, share);
    this.byId.set(reg.id, share);
  }

  /** Live change of export options or the enabled flag. */
  update(name: string, change: Partial<Pick<ShareRegistration, 'options' | 'enabled'>>): void {
    const share = this.byName.get(name);
    if (share === undefined) throw new DittoError('NOT_FOUND', `share ${name}`);
    if (change.options !== undefined) share.options = { ...change.options };
    if (change.enabled !== undefined) share.enabled = change.enabled;
  }

  /** Its handles turn stale; the namespace stays in the store. */
  unregister(name: string): void {
    const share = this.byName.get(name);
    if (share === undefined) return;
    this.byName.delete(name);
    this.byId.delete(share.id);
  }

  list(): ShareSummary[] {
    return [...this.byName.values()].map((s) => ({
      name: s.name,
      id: s.id,
      enabled: s.enabled,
      options: { ...s.options },
      rootFileId: s.rootId,
    }));
  }

  /** An enabled share by name; NOT_FOUND otherwise. */
  enabled(name: string): ShareState {
    const share = this.byName.get(name);
    if (share === undefined || !share.enabled) throw new DittoError('NOT_FOUND', `share ${name}`);
    return share;
  }

  /** The share a handle belongs to and its fileid: BAD_HANDLE if malformed, STALE_HANDLE if the share is gone or disabled. */
  resolve(h: FileHandle): { share: ShareState; fileid: number } {
    const p = parseHandle(h);
    const share = this.byId.get(p.shareId);
    if (share === undefined || !share.enabled || share.store.epoch !== p.epoch) throw new DittoError('STALE_HANDLE');
    return { share, fileid: p.fileid };
  }

  private checkFree(name: string, id: number): void {
    if (this.byName.has(name)) throw new DittoError('EXISTS', `share ${name} is registered`);
    if (this.byId.has(id)) throw new DittoError('EXISTS', `share id ${id} is in use`);
  }
}

export function handleOf(share: ShareState, fileid: number): FileHandle {
  return encodeHandle(share.id, share.store.epoch, fileid);
}

/** The record, if it exists and belongs to the share's namespace; STALE_HANDLE otherwise. */
export async function loadFile(reader: StoreReader, share: ShareState, fileid: number): Promise<FileRecord> {
  const rec = await reader.getFile(fileid);
  if (rec === undefined || rec.root !== share.rootId) throw new DittoError('STALE_HANDLE');
  return rec;
}

export async function loadDir(reader: StoreReader, share: ShareState, fileid: number): Promise<FileRecord> {
  const rec = await loadFile(reader, share, fileid);
  if (rec.attr.type !== FileType.Directory) throw new DittoError('NOT_DIRECTORY');
  return rec;
}
