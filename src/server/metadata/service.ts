/**
 * MetadataService: the metadata operations protocol handlers call (MetadataOps). It routes
 * each handle to its share's store, applies the share's export options (squash, the
 * share's access for the caller, read-only) and the POSIX rules; stores only persist
 * records. Operations live in the files imported
 * below, one concern each.
 */
import { ChangeFeed, type DirChangeAction } from './change-feed.ts';
import type { ChangeBus } from './change-bus.ts';
import { ByteRangeLocks } from './locks/byte-range-locks.ts';
import { fileidOfFileKey, shareOfFileKey } from './locks/lock-manager.ts';
import { DittoError, isDittoError } from '../../shared/errors.ts';
import { changeKey, dirPath, type DirPath, shareIdOfChangeKey } from './dir-path.ts';
import { create, link, mknod, mkdir, symlink } from './file-create.ts';
import { commitWrite, persistShare, persistWrites, prepareRead, prepareWrite } from './file-io.ts';
import { setAttr } from './file-modify.ts';
import { admit } from './file-helpers.ts';
import { remove, rmdir } from './file-remove.ts';
import { parseHandle } from './handles.ts';
import { hold, purgeOrphans, release } from './open-holds.ts';
import { checkName } from './names.ts';
import { X, accessBits, requireAccess } from './permissions.ts';
import { readDir } from './readdir.ts';
import { rename } from './rename.ts';
import { measureShare, type ShareUsage } from './usage.ts';
import {
  checkStored,
  handleOf,
  loadFile,
  requireDirectory,
  type ShareRegistration,
  ShareRegistry,
  type ShareSummary,
  withUnstable,
} from './shares.ts';
import type { TxOptions } from './store.ts';
import { MetadataStreams } from './streams.ts';
import {
  type AuthContext,
  type CreateMode,
  type DirPage,
  type Entry,
  type FileAttr,
  type FileHandle,
  type FsStat,
  FileType,
  type MetadataOps,
  type NewNameOptions,
  type PersistMode,
  type SetAttrs,
  type Timespec,
  type Wcc,
} from './types.ts';

export type { ShareRegistration, ShareSummary } from './shares.ts';

/** FSSTAT file slots: what a 32-bit inode space offers. */
const MAX_FILES = 2 ** 32 - 1;

export class MetadataService implements MetadataOps {
  private readonly shares = new ShareRegistry();
  readonly streams = new MetadataStreams(this.shares);
  /**
   * Byte-range locks of every protocol: NFSv4, NLM and SMB (locks/byte-range-locks.ts); on a
   * store other instances serve too, in its cluster-wide table as well.
   */
  readonly locks = new ByteRangeLocks((file) => {
    const table = this.shares.get(shareOfFileKey(file))?.store.sharedLocks;
    return table && { table, fileid: fileidOfFileKey(file) };
  });
  /**
   * Entries added, removed and renamed in directories, by any protocol (change-feed.ts); on a
   * store other instances serve too, theirs as well (change-bus.ts).
   */
  readonly changes = new ChangeFeed((key, changes) => this.busOf(key)?.publish(key, changes));
  /** The change buses this service listens to (one per store, whatever number of shares it holds). */
  private readonly buses = new WeakSet<ChangeBus>();

  /** The key under which `changes` reports a directory's changes. STALE_HANDLE for an unknown handle. */
  changeKey(dir: FileHandle): string {
    const ref = this.shares.resolve(dir);
    return changeKey(ref.share, ref.fileid);
  }

  /** The keys and names from the share root down to the directory `dir` (dir-path.ts). */
  dirPath(dir: FileHandle): Promise<DirPath> {
    return dirPath(this.shares, dir);
  }

  private async changed<T>(
    dir: FileHandle,
    name: string,
    action: DirChangeAction,
    done: Promise<T>,
    directory = false,
  ): Promise<T> {
    const result = await done;
    this.changes.emit(this.changeKey(dir), { action, name, directory });
    return result;
  }

  /** Serves `name` from `reg.store`, creating its root directory there if it has none. EXISTS for a taken name or id. */
  async registerShare(name: string, reg: ShareRegistration): Promise<void> {
    await this.shares.register(name, reg);
    const bus = reg.store.changeBus;
    if (bus === undefined || this.buses.has(bus)) return;
    this.buses.add(bus);
    bus.listen((key, changes) => {
      if (this.busOf(key) === bus) this.changes.deliver(key, changes);
    });
  }

  /** The bus of the store holding the directory `key` names (change-bus.ts); none for a share not served. */
  private busOf(key: string): ChangeBus | undefined {
    return this.shares.withId(shareIdOfChangeKey(key))?.store.changeBus;
  }

  /** Changes export options or enables/disables the share; a disabled share's handles are stale. */
  updateShare(name: string, change: Partial<Pick<ShareRegistration, 'options' | 'enabled'>>): void {
    this.shares.update(name, change);
  }

  /**
   * Stops serving the share; its files stay in the store. Unstable writes are queued to
   * the store (which finishes queued transactions before it closes).
   */
  unregisterShare(name: string): void {
    const share = this.shares.unregister(name);
    if (share !== undefined) persistShare(share).catch(() => undefined);
  }

  /** Persists every share's unstable writes (shutdown); rejects with the first store failure. */
  async flushAll(): Promise<void> {
    const results = await Promise.allSettled(this.shares.all().map((s) => persistShare(s)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  listShares(): ShareSummary[] {
    return this.shares.list();
  }

  /** What a share holds (see usage.ts); undefined for a share not served. */
  async usage(name: string, maxEntries: number): Promise<ShareUsage | undefined> {
    const share = this.shares.all().find((s) => s.name === name);
    return share && measureShare(share, maxEntries);
  }

  async rootHandle(share: string): Promise<FileHandle> {
    const s = this.shares.enabled(share);
    return handleOf(s, s.rootId, s.rootGeneration);
  }

  shareOf(handle: FileHandle): string {
    return this.shares.resolve(handle).share.name;
  }

  async getAttr(auth: AuthContext, handle: FileHandle): Promise<FileAttr> {
    const { share, fileid, generation } = admit(this.shares, auth, handle);
    return (await loadFile(share.store, share, fileid, generation)).attr;
  }

  setAttr(auth: AuthContext, handle: FileHandle, attrs: SetAttrs, guardCtime?: Timespec): Promise<Wcc> {
    return setAttr(this.shares, auth, handle, attrs, guardCtime);
  }

  /** RFC 1813 §3.3.3; '..' of the share root is the root itself. */
  async lookup(auth: AuthContext, dirH: FileHandle, name: string): Promise<Entry & { dirAttr: FileAttr }> {
    const { share, fileid, generation, cred } = admit(this.shares, auth, dirH);
    checkName(name);
    const { store } = share;
    // The directory and the entry's file in one read (one round trip on a networked store).
    const read = await store.dirAndEntry(fileid, name === '.' || name === '..' ? '' : name);
    const dir = requireDirectory(checkStored(read.dir, share, generation));
    requireAccess(cred, dir.attr, X);
    let found = dir;
    if (name === '..') {
      found = await loadFile(store, share, dir.parent);
    } else if (name !== '.') {
      if (read.file === undefined) throw new DittoError('NOT_FOUND', name);
      found = withUnstable(read.file, share.unstable.get(read.file.attr.fileid));
    }
    return { handle: handleOf(share, found.attr.fileid, found.generation), attr: found.attr, dirAttr: dir.attr };
  }

  async lookupCaseless(
    auth: AuthContext,
    dirH: FileHandle,
    name: string,
  ): Promise<(Entry & { name: string }) | undefined> {
    const { share, fileid } = admit(this.shares, auth, dirH);
    checkName(name);
    const stored = await share.store.findCaseless(fileid, name);
    if (stored === undefined) return undefined;
    // The permission checks of a lookup; NOT_FOUND if the entry went meanwhile.
    const e = await this.lookup(auth, dirH, stored).catch((err: unknown) => {
      if (isDittoError(err, 'NOT_FOUND')) return undefined;
      throw err;
    });
    return e === undefined ? undefined : { handle: e.handle, attr: e.attr, name: stored };
  }

  /** No write bits where the share is read-only or grants the caller only read. */
  async access(auth: AuthContext, handle: FileHandle, requested: number): Promise<{ granted: number; attr: FileAttr }> {
    const { share, fileid, generation, cred, access } = admit(this.shares, auth, handle);
    const { attr } = await loadFile(share.store, share, fileid, generation);
    const readOnly = share.options.readOnly || access !== 'write';
    return { granted: accessBits(cred, attr, requested, readOnly), attr };
  }

  /** A symlink's own mode is never checked (RFC 1813 §3.3.5). */
  async readLink(auth: AuthContext, handle: FileHandle): Promise<{ target: string; attr: FileAttr }> {
    const { share, fileid, generation } = admit(this.shares, auth, handle);
    const rec = await loadFile(share.store, share, fileid, generation);
    if (rec.attr.type !== FileType.Symlink) throw new DittoError('INVALID_ARGUMENT', 'not a symlink');
    return { target: rec.target, attr: rec.attr };
  }

  create(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    attrs: SetAttrs,
    mode: CreateMode,
    opts?: TxOptions,
  ): Promise<Entry & { dirWcc: Wcc }> {
    return this.changed(dir, name, 'added', create(this.shares, auth, dir, name, attrs, mode, opts));
  }

  mkdir(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    attrs: SetAttrs,
    names?: NewNameOptions,
  ): Promise<Entry & { dirWcc: Wcc }> {
    return this.changed(dir, name, 'added', mkdir(this.shares, auth, dir, name, attrs, names), true);
  }

  symlink(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    target: string,
    attrs: SetAttrs,
  ): Promise<Entry & { dirWcc: Wcc }> {
    return this.changed(dir, name, 'added', symlink(this.shares, auth, dir, name, target, attrs));
  }

  mknod(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    type: FileType,
    attrs: SetAttrs,
    rdev: { major: number; minor: number },
  ): Promise<Entry & { dirWcc: Wcc }> {
    return this.changed(dir, name, 'added', mknod(this.shares, auth, dir, name, type, attrs, rdev));
  }

  remove(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
  ): Promise<{ dirWcc: Wcc; removed: FileAttr; freed: FileAttr | undefined }> {
    return this.changed(dir, name, 'removed', remove(this.shares, auth, dir, name));
  }

  rmdir(auth: AuthContext, dir: FileHandle, name: string): Promise<{ dirWcc: Wcc }> {
    return this.changed(dir, name, 'removed', rmdir(this.shares, auth, dir, name), true);
  }

  async rename(
    auth: AuthContext,
    fromDir: FileHandle,
    fromName: string,
    toDir: FileHandle,
    toName: string,
    names: NewNameOptions = {},
  ): Promise<{ fromWcc: Wcc; toWcc: Wcc; replaced: FileAttr | undefined; freed?: FileAttr }> {
    const result = await rename(this.shares, auth, fromDir, fromName, toDir, toName, names);
    const from = this.changeKey(fromDir);
    const to = this.changeKey(toDir);
    // Within one directory a rename; across directories a removal here and an addition there.
    const where = { dir: toDir, key: to, name: toName };
    // A file replaced under another spelling of toName (caseless names) loses its own name.
    const { replacedName } = result;
    if (replacedName !== undefined && replacedName !== toName)
      this.changes.emit(to, {
        action: 'removed',
        name: replacedName,
        directory: result.replaced?.type === FileType.Directory,
      });
    if (from === to)
      this.changes.emit(
        from,
        { action: 'renamed-from', name: fromName, to: where },
        { action: 'renamed-to', name: toName },
      );
    else {
      this.changes.emit(from, { action: 'removed', name: fromName, to: where });
      this.changes.emit(to, { action: 'added', name: toName });
    }
    return result;
  }

  hold(file: FileHandle): void {
    const { share, fileid } = this.shares.resolve(file);
    hold(share, fileid);
  }

  async release(file: FileHandle): Promise<FileAttr | undefined> {
    // A share disabled since keeps its holds: its handles are stale, not its opens' counts.
    const { shareId, epoch, fileid } = parseHandle(file);
    const share = this.shares.withId(shareId);
    return share?.store.epoch === epoch ? release(share, fileid) : undefined;
  }

  /**
   * Deletes the share's files that lost their last name while held open by a process that
   * ended before releasing them (open-holds.ts); answers them, their payloads to delete.
   */
  async purgeOrphans(name: string): Promise<FileAttr[]> {
    const share = this.shares.get(name);
    return share === undefined ? [] : purgeOrphans(share);
  }

  link(auth: AuthContext, file: FileHandle, dir: FileHandle, name: string): Promise<{ attr: FileAttr; dirWcc: Wcc }> {
    return this.changed(dir, name, 'added', link(this.shares, auth, file, dir, name));
  }

  readDir(
    auth: AuthContext,
    dir: FileHandle,
    cookie: number,
    verifier: Buffer | undefined,
    maxEntries: number,
  ): Promise<DirPage> {
    return readDir(this.shares, auth, dir, cookie, verifier, maxEntries);
  }

  prepareRead(auth: AuthContext, handle: FileHandle): Promise<FileAttr> {
    return prepareRead(this.shares, auth, handle);
  }

  prepareWrite(auth: AuthContext, handle: FileHandle): Promise<FileAttr> {
    return prepareWrite(this.shares, auth, handle);
  }

  commitWrite(auth: AuthContext, handle: FileHandle, end: number, stable = true): Promise<Wcc> {
    return commitWrite(this.shares, auth, handle, end, stable);
  }

  persistWrites(auth: AuthContext, handle: FileHandle, mode?: PersistMode): Promise<FileAttr> {
    return persistWrites(this.shares, auth, handle, mode);
  }

  /** Space of the medium holding the store; file slots of a 32-bit inode space. */
  async fsStat(auth: AuthContext, handle: FileHandle): Promise<FsStat> {
    const { share, fileid, generation } = admit(this.shares, auth, handle);
    await loadFile(share.store, share, fileid, generation);
    const [space, files] = await Promise.all([share.store.space(), share.store.fileCount()]);
    const freeFiles = Math.max(0, MAX_FILES - files);
    return { ...space, totalFiles: MAX_FILES, freeFiles, availFiles: freeFiles };
  }
}
