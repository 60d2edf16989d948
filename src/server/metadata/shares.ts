/** The share registry: which store and root serve a share, and handle <-> share mapping. */
import { DittoError } from '../../shared/errors.ts';
import { newAttr } from './attrs.ts';
import { encodeHandle, LEGACY_GENERATION, parseHandle } from './handles.ts';
import { killSuid } from './permissions.ts';
import { LazyMarks } from './lazy-marks.ts';
import type { FileRecord, MetadataStore, StoreReader, StoreTx } from './store.ts';
import { now } from './time.ts';
import {
  DosAttr,
  FileType,
  type FileAttr,
  type FileHandle,
  type ShareExportOptions,
  type Timespec,
  type Wcc,
} from './types.ts';

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

/**
 * What writes did to a file that the store does not hold yet (file-io.ts): UNSTABLE writes
 * only record it here, and every attribute read merges it in, so clients see the new size
 * at once; COMMIT (or a stable write, or shutdown) persists it. Like the data, it is not
 * durable before then.
 */
export interface UnstableWrite {
  /** Highest end offset written. */
  end: number;
  /** A non-root writer: setuid/setgid go. */
  killSuid: boolean;
  /** Time of the latest write: the file's mtime. */
  time: Timespec;
  /** Set once a transaction has taken it out of `ShareState.unstable` to write it. */
  taken: boolean;
  /** The queued transaction that will persist it (callers joining before it runs share its result). */
  result: Promise<Wcc> | undefined;
}

export interface ShareState {
  readonly name: string;
  readonly id: number;
  readonly store: MetadataStore;
  readonly rootId: number;
  readonly rootGeneration: number;
  options: ShareExportOptions;
  enabled: boolean;
  /** Unstable write state by fileid; see UnstableWrite. */
  readonly unstable: Map<number, UnstableWrite>;
  /** The latest transaction persisting a file's unstable state, until it settles. */
  readonly persisting: Map<number, Promise<Wcc>>;
  /** Files whose unstable state was last stored lazily (PersistMode 'lazy'): maybe not durable yet. */
  readonly storedLazily: LazyMarks;
  /** Opens holding each file by fileid (open-holds.ts). */
  readonly holds: Map<number, number>;
  /** Held files whose last name went: kept, with no link, until their last hold goes (open-holds.ts). */
  readonly orphans: Set<number>;
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
    const root = await reg.store.transaction(async (tx) => {
      // Under the tree lock: instances registering the share at once make one root.
      const [, existing] = await Promise.all([tx.lockTree(), tx.getRoot(name)]);
      if (existing !== undefined) return (await tx.getFile(existing)) ?? noRoot(name);
      const owner = reg.root ?? { uid: 0, gid: 0, mode: 0o755 };
      const rec: FileRecord = {
        attr: newAttr(FileType.Directory, owner.mode, owner.uid, owner.gid, now()),
        root: 0,
        parent: 0,
        generation: 0,
        target: '',
        verifier: undefined,
      };
      const id = await tx.createFile(rec);
      const stored = { ...rec, root: id, parent: id };
      await tx.putFile(stored);
      await tx.setRoot(name, id);
      return stored;
    });
    this.checkFree(name, reg.id);
    const share: ShareState = {
      name,
      id: reg.id,
      store: reg.store,
      rootId: root.attr.fileid,
      rootGeneration: root.generation,
      options: { ...reg.options },
      enabled: reg.enabled,
      unstable: new Map(),
      persisting: new Map(),
      storedLazily: new LazyMarks(() => reg.store.transaction(async () => undefined)),
      holds: new Map(),
      orphans: new Set(),
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
  unregister(name: string): ShareState | undefined {
    const share = this.byName.get(name);
    if (share === undefined) return undefined;
    this.byName.delete(name);
    this.byId.delete(share.id);
    return share;
  }

  all(): ShareState[] {
    return [...this.byName.values()];
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

  /** A registered share by name, enabled or not. */
  get(name: string): ShareState | undefined {
    return this.byName.get(name);
  }

  /** A registered share by id, enabled or not. */
  withId(id: number): ShareState | undefined {
    return this.byId.get(id);
  }

  /** An enabled share by name; NOT_FOUND otherwise. */
  enabled(name: string): ShareState {
    const share = this.byName.get(name);
    if (share === undefined || !share.enabled) throw new DittoError('NOT_FOUND', `share ${name}`);
    return share;
  }

  /**
   * The share a handle names, its fileid and the generation it claims (to check with
   * loadFile): BAD_HANDLE if malformed, STALE_HANDLE if the share is gone or disabled, or
   * for a version 1 handle (handles.ts) of anything but the share root.
   */
  resolve(h: FileHandle): HandleRef {
    const p = parseHandle(h);
    const share = this.byId.get(p.shareId);
    if (share === undefined || !share.enabled || share.store.epoch !== p.epoch) throw new DittoError('STALE_HANDLE');
    if (p.generation !== LEGACY_GENERATION) return { share, fileid: p.fileid, generation: p.generation };
    if (p.fileid !== share.rootId) throw new DittoError('STALE_HANDLE');
    return { share, fileid: p.fileid, generation: share.rootGeneration };
  }

  private checkFree(name: string, id: number): void {
    if (this.byName.has(name)) throw new DittoError('EXISTS', `share ${name} is registered`);
    if (this.byId.has(id)) throw new DittoError('EXISTS', `share id ${id} is in use`);
  }
}

/** A file as a handle names it (ShareRegistry.resolve). */
export interface HandleRef {
  share: ShareState;
  fileid: number;
  /** The generation the handle claims; loading the file checks it. */
  generation: number;
}

export function handleOf(share: ShareState, fileid: number, generation: number): FileHandle {
  return encodeHandle(share.id, share.store.epoch, fileid, generation);
}

/**
 * The record, if it exists, belongs to the share's namespace and, when `generation` is
 * given (a fileid taken from a handle), has that generation; STALE_HANDLE otherwise. Ids
 * reached through the namespace (entries, parents) need no generation. Unstable writes are
 * merged in (a transaction that stores a record built from it persists them too, which is
 * harmless: merging is idempotent).
 */
export async function loadFile(
  reader: StoreReader,
  share: ShareState,
  fileid: number,
  generation?: number,
): Promise<FileRecord> {
  const rec = await loadStored(reader, share, fileid, generation);
  return withUnstable(rec, share.unstable.get(fileid));
}

/** A file a transaction locks, by handle (with the generation it claims) or by an id reached in the namespace. */
export type LockRef = Pick<HandleRef, 'fileid'> & { generation?: number };

/**
 * Locks the files of `refs` until the transaction ends (StoreTx.lockFiles: one step, in
 * fileid order) and loads them as loadFile does, in the order of `refs`.
 */
export async function lockLoad<R extends LockRef[]>(
  tx: StoreTx,
  share: ShareState,
  ...refs: R
): Promise<{ [K in keyof R]: FileRecord }> {
  const recs = await tx.lockFiles(refs.map((r) => r.fileid));
  return refs.map((r, i) => withUnstable(checkStored(recs[i], share, r.generation), share.unstable.get(r.fileid))) as {
    [K in keyof R]: FileRecord;
  };
}

/** Locks one file as lockLoad does; the record as stored (unstable writes not merged). */
export async function lockStored(
  tx: StoreTx,
  share: ShareState,
  fileid: number,
  generation?: number,
): Promise<FileRecord> {
  const [rec] = await tx.lockFiles([fileid]);
  return checkStored(rec, share, generation);
}

/** Like loadFile, without merging unstable writes: the record as stored. */
export async function loadStored(
  reader: StoreReader,
  share: ShareState,
  fileid: number,
  generation?: number,
): Promise<FileRecord> {
  return checkStored(await reader.getFile(fileid), share, generation);
}

/** A record read for a handle or an id, checked as loadStored checks it. */
export function checkStored(rec: FileRecord | undefined, share: ShareState, generation?: number): FileRecord {
  if (rec === undefined || rec.root !== share.rootId || (generation !== undefined && rec.generation !== generation)) {
    throw new DittoError('STALE_HANDLE');
  }
  return rec;
}

/** `rec` as the unstable writes `u` left it. */
export function withUnstable(rec: FileRecord, u: UnstableWrite | undefined): FileRecord {
  return u === undefined ? rec : { ...rec, attr: unstableAttr(rec.attr, u) };
}

export function unstableAttr(a: FileAttr, u: UnstableWrite): FileAttr {
  const size = Math.max(a.size, u.end);
  const later = u.time.sec > a.ctime.sec || (u.time.sec === a.ctime.sec && u.time.nsec > a.ctime.nsec);
  return {
    ...a,
    size,
    used: Math.max(a.used, size),
    mode: u.killSuid ? killSuid(a.mode) : a.mode,
    mtime: u.time,
    ctime: later ? u.time : a.ctime,
    // Written content: ARCHIVE, as Windows sets it (MS-FSA §2.1.5.3).
    dosAttributes: a.dosAttributes | DosAttr.ARCHIVE,
  };
}

/**
 * Inside a transaction body that will store the file: takes its unstable state out of
 * memory (the body merges it into what it stores). Hand the result to `restoreUnstable`
 * if the transaction fails.
 */
export function takeUnstable(share: ShareState, fileid: number): UnstableWrite | undefined {
  const u = share.unstable.get(fileid);
  if (u === undefined) return undefined;
  share.unstable.delete(fileid);
  u.taken = true;
  return u;
}

/**
 * Unstable state a transaction body takes out of memory to store it (takeUnstable), safe
 * when the store runs the body again (PostgreSQL after a conflict): each `take` first puts
 * back what the run before took; the body calls `putBack` first too when a run may take
 * nothing, and the caller calls it when the transaction failed.
 */
export class TakenUnstable {
  private fileid = 0;
  private taken: UnstableWrite | undefined;

  constructor(private readonly share: ShareState) {}

  take(fileid: number): UnstableWrite | undefined {
    this.putBack();
    this.fileid = fileid;
    this.taken = takeUnstable(this.share, fileid);
    return this.taken;
  }

  putBack(): void {
    restoreUnstable(this.share, this.fileid, this.taken);
    this.taken = undefined;
  }
}

/** Puts back state a failed transaction had taken, merged with writes made since. */
export function restoreUnstable(share: ShareState, fileid: number, u: UnstableWrite | undefined): void {
  if (u === undefined) return;
  const now = share.unstable.get(fileid);
  if (now === undefined) {
    share.unstable.set(fileid, { end: u.end, killSuid: u.killSuid, time: u.time, taken: false, result: undefined });
    return;
  }
  now.end = Math.max(now.end, u.end);
  now.killSuid ||= u.killSuid;
}

export async function loadDir(
  reader: StoreReader,
  share: ShareState,
  fileid: number,
  generation?: number,
): Promise<FileRecord> {
  return requireDirectory(await loadFile(reader, share, fileid, generation));
}

export function requireDirectory(rec: FileRecord): FileRecord {
  if (rec.attr.type !== FileType.Directory) throw new DittoError('NOT_DIRECTORY');
  return rec;
}

function noRoot(share: string): never {
  throw new DittoError('IO', `share ${share}: the store names a root directory it does not hold`);
}
