/**
 * FolderStore: the MetadataStore contract over one existing directory, served in place
 * (docs/folder-shares.md). The folder's files are the records: attributes come from lstat
 * (attrs.ts), fileids from the index in dfs's data dir (nodes.ts), listings from the real
 * directory (listing.ts). Every share on the folder has the folder as its root.
 *
 * Transactions run one at a time: the body's writes are recorded (folder-tx.ts) and applied
 * to the folder when it returns (apply.ts); the next transaction may start then, and this
 * one resolves once the directories it changed (and the index) are fsynced. Files written
 * through `content` are plain files of the folder (content.ts).
 *
 * Nothing is scanned at open: rows are made as clients look files up.
 */
import { randomBytes } from 'node:crypto';
import { opendirSync, realpathSync, statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { DittoError } from '../../shared/errors.ts';
import { newGeneration } from '../metadata/handles.ts';
import type {
  DirAndFile,
  FileRecord,
  MetadataStore,
  NamedStream,
  StoredEntry,
  StoreSpace,
  StoreTx,
  StreamInfo,
  TxOptions,
} from '../metadata/store.ts';
import { applyTx, type Applied } from './apply.ts';
import { LaterSyncs, type Owed } from './later-syncs.ts';
import { CaselessNames } from './caseless-names.ts';
import { type OwnerPolicy, recordOf } from './attrs.ts';
import { FolderContent } from './content.ts';
import { fsError } from './errors.ts';
import { FolderIndex, type FolderNode } from './folder-index.ts';
import { FolderTx } from './folder-tx.ts';
import { Listings } from './listing.ts';
import { NO_OVERLAY, NodeTable, type NodeTableOptions, type Resolved } from './nodes.ts';
import { PathSyncs } from './path-syncs.ts';
import { identityOf, lstatOrUndefined, sameFile } from './stat.ts';

/** How long the syncs of lazy transactions wait to be made together (the SQLite store's lazy groups wait as long). */
const LAZY_SYNC_MS = 100;

export interface FolderStoreOptions extends NodeTableOptions {
  /** The folder served: an existing directory. */
  path: string;
  /** The index file, in dfs's data dir (never inside the folder). */
  indexPath: string;
  /** chown/chmod go to the files themselves; default: when the process runs as root. */
  realOwnership?: boolean;
  /** Owner shown for files nobody set one on over NFS; default: the file's own. */
  defaultOwner?: { uid: number; gid: number };
}

export class FolderStore implements MetadataStore {
  readonly nodes: NodeTable;
  readonly content: FolderContent;
  readonly policy: OwnerPolicy;
  private readonly listings: Listings;
  private readonly caseless = new CaselessNames();
  private readonly syncs = new PathSyncs();
  private readonly later = new LaterSyncs((owed) => this.syncNow(owed), LAZY_SYNC_MS);
  /** Tail of the transaction queue (settles when the last queued body has been applied). */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly index: FolderIndex,
    readonly epoch: number,
    root: FolderNode,
    options: FolderStoreOptions,
  ) {
    this.policy = {
      realOwnership: options.realOwnership ?? process.getuid?.() === 0,
      defaultOwner: options.defaultOwner,
    };
    this.nodes = new NodeTable(index, path, root, options);
    this.listings = new Listings(this.nodes);
    this.content = new FolderContent(this.nodes, (fileid) => this.listings.touched(fileid));
    this.nodes.descriptorOf = (fileid) => this.content.descriptorOf(fileid);
    this.nodes.keptDescriptor = (fileid) => this.content.keptDescriptor(fileid);
    this.nodes.onForget = (fileid) => {
      this.listings.drop(fileid);
      this.content.forget(fileid);
    };
  }

  /**
   * Opens the folder at `options.path` with its index (creating the index). An index made
   * for another directory (the folder was replaced) starts over with a new epoch, so every
   * old handle is stale rather than pointing into the wrong tree.
   */
  static async open(options: FolderStoreOptions): Promise<FolderStore> {
    let path: string;
    try {
      path = realpathSync(options.path);
      if (!statSync(path).isDirectory()) throw new DittoError('NOT_DIRECTORY', `${options.path} is not a directory`);
    } catch (err) {
      throw fsError(err, options.path);
    }
    const index = FolderIndex.open(options.indexPath);
    try {
      const st = lstatOrUndefined(path)!;
      const rootId = Number(index.getMeta('root') ?? 0);
      let root = rootId === 0 ? undefined : index.get(rootId);
      let epoch = Number(index.getMeta('epoch') ?? 0);
      if (root === undefined || !sameFile(root, identityOf(st))) {
        index.clear();
        epoch = randomBytes(4).readUInt32BE(0);
        const fileid = index.maxFileIdEver() + 1;
        const fresh: FolderNode = {
          fileid,
          generation: newGeneration(),
          ...identityOf(st),
          parent: fileid,
          name: '',
          ...NO_OVERLAY,
        };
        root = fresh;
        index.put(fresh);
        index.setMeta('root', fresh.fileid);
        index.setMeta('epoch', epoch);
        index.setMeta('path', path);
      }
      return new FolderStore(path, index, epoch, root, options);
    } catch (err) {
      await index.close();
      throw err;
    }
  }

  get rootId(): number {
    return this.nodes.rootId;
  }

  allocate(): number {
    return this.nodes.allocate();
  }

  async getFile(fileid: number): Promise<FileRecord | undefined> {
    const r = this.nodes.resolve(fileid);
    return r === undefined ? undefined : this.record(r);
  }

  async lookup(dirId: number, name: string): Promise<number | undefined> {
    const dir = this.dir(dirId);
    return dir === undefined ? undefined : this.entryIn(dir, name)?.node.fileid;
  }

  /** A name of the directory that matches `name` but for case (caseless-names.ts). */
  async findCaseless(dirId: number, name: string): Promise<string | undefined> {
    const dir = this.dir(dirId);
    return dir === undefined ? undefined : this.findCaselessIn(dir, name);
  }

  findCaselessIn(dir: Resolved, name: string): Promise<string | undefined> {
    return this.caseless.find(dir.node.fileid, dir.path, name);
  }

  /** The file `name` leads to in a resolved directory. */
  entryIn(dir: Resolved, name: string): Resolved | undefined {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) return undefined;
    const path = `${dir.path}/${name}`;
    const st = lstatOrUndefined(path);
    return st === undefined ? undefined : { node: this.nodes.nodeFor(st, dir.node.fileid, name), path, st };
  }

  resolve(fileid: number): Resolved | undefined {
    return this.nodes.resolve(fileid);
  }

  async listDir(dirId: number, afterCookie: number, limit: number): Promise<StoredEntry[]> {
    const dir = this.dir(dirId);
    if (dir === undefined) return [];
    return this.listings.list(dir, afterCookie, limit, (node, st, path) =>
      recordOf(node, st, path, this.rootId, this.policy),
    );
  }

  async hasEntries(dirId: number): Promise<boolean> {
    const dir = this.dir(dirId);
    if (dir === undefined) return false;
    try {
      const d = opendirSync(dir.path);
      try {
        return d.readSync() !== null;
      } finally {
        d.closeSync();
      }
    } catch (err) {
      throw fsError(err, dir.path);
    }
  }

  /** Named streams live in the index, never in the folder (folder-index.ts). */
  async listStreams(fileid: number): Promise<StreamInfo[]> {
    return this.index.listStreams(fileid);
  }

  async getStream(fileid: number, name: string): Promise<NamedStream | undefined> {
    return this.index.getStream(fileid, name);
  }

  /** Every share on the folder has it as its root. */
  async getRoot(): Promise<number> {
    return this.rootId;
  }

  /**
   * A lazy transaction (an SMB CREATE or CLOSE, TxOptions.lazy) is answered once applied; its
   * syncs are owed and made together later (later-syncs.ts), and every durable transaction
   * after it makes them at once and waits for them, as its FLUSH must.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, opts?: TxOptions): Promise<T> {
    if (this.closed) return Promise.reject(new DittoError('IO', 'folder store is closed'));
    const lazy = opts?.lazy === true;
    const applied = this.queue.then(async () => {
      const tx = new FolderTx(this);
      const value = await fn(tx);
      const writes = this.index.writes;
      // Streams first: a file the transaction deletes takes them along (folder-index.ts).
      for (const [fileid, streams] of tx.streams)
        for (const [folded, s] of streams) this.index.setStream(fileid, s?.name ?? folded, s?.data ?? null);
      const done = applyTx(this, tx);
      this.refresh(done);
      const owed = { dirs: done.dirs, files: done.files, index: this.index.writes !== writes };
      return { value, durable: lazy ? this.later.owe(owed) : this.syncNow(owed) };
    });
    this.queue = applied.then(
      () => undefined,
      () => undefined,
    );
    return applied.then(async ({ value, durable }) => {
      if (!lazy) await Promise.all([durable, this.later.flush()]);
      return value;
    });
  }

  takeWritten(fileid: number): boolean {
    return this.content.takeWritten(fileid);
  }

  adopt(fileid: number, fd: number): void {
    this.content.adopt(fileid, fd);
  }

  keep(fileid: number): void {
    this.content.keep(fileid);
  }

  /**
   * None: a file kept with no name while open (metadata/open-holds.ts) lives on in dfs's
   * descriptor only, and the kernel frees it when that closes, at the last release or when the
   * process ends; an index row left by a crash is dropped when its handle is next resolved.
   */
  async orphans(): Promise<FileRecord[]> {
    return [];
  }

  /** Entries a directory's change invalidates. */
  dirChanged(dirId: number): void {
    this.listings.drop(dirId);
  }

  nameAdded(dirId: number, name: string): void {
    this.caseless.added(dirId, name);
  }

  nameRemoved(dirId: number, name: string): void {
    this.caseless.removed(dirId, name);
  }

  /**
   * The directory and the file `name` leads to, each looked at once: an lstat of the
   * directory and one of the name (NFS LOOKUP, SMB CREATE), where `getFile` + `lookup` +
   * `getFile` looked at the directory twice and at the file twice.
   */
  async dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    const dir = this.nodes.resolve(dirId);
    if (dir === undefined) return { dir: undefined, file: undefined };
    const entry = dir.st.isDirectory() ? this.entryIn(dir, name) : undefined;
    return { dir: this.record(dir), file: entry === undefined ? undefined : this.record(entry) };
  }

  async fileCount(): Promise<number> {
    return this.index.count();
  }

  async space(): Promise<StoreSpace> {
    const s = await statfs(this.path);
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availBytes: s.bavail * s.bsize };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.caseless.close();
    await this.queue;
    await this.later.flush().catch(() => undefined);
    await this.syncs.close();
    await this.content.close();
    await this.index.close();
  }

  record(r: Resolved): FileRecord {
    return recordOf(r.node, r.st, r.path, this.rootId, this.policy);
  }

  private dir(dirId: number): Resolved | undefined {
    const r = this.nodes.resolve(dirId);
    return r?.st.isDirectory() ? r : undefined;
  }

  /**
   * The records a transaction handed over now describe files in the folder: they get the
   * files' real attributes, so what the MetadataService answers (wcc data, a new file's
   * attributes) is what a GETATTR returns next.
   */
  private refresh(done: Applied): void {
    for (const [rec, st] of done.records) {
      const id = rec.attr.fileid;
      this.listings.touched(id);
      const node = st === undefined ? undefined : this.nodes.get(id);
      const path = st === undefined ? undefined : this.nodes.pathOf(id);
      const r = node !== undefined && path !== undefined ? { node, path, st: st! } : this.nodes.resolve(id);
      if (r !== undefined) Object.assign(rec.attr, this.record(r).attr);
    }
  }

  /** Resolves once what a transaction changed (or several lazy ones did) is on stable storage. */
  private async syncNow(owed: Owed): Promise<void> {
    const work: Promise<void>[] = [];
    for (const dirId of owed.dirs) {
      const path = this.nodes.pathOf(dirId);
      if (path !== undefined) work.push(this.syncs.sync(path));
    }
    for (const file of owed.files) work.push(this.syncs.sync(file));
    if (owed.index) work.push(this.index.sync());
    await Promise.all(work);
  }
}
