/**
 * A transaction of a folder share, as the MetadataService's bodies see it: reads go to the
 * folder (through the store), writes are only recorded, and the body sees them in its own
 * reads. Nothing touches the folder until the body has returned; then apply.ts turns the
 * recorded operations into file-system calls. So a body that throws leaves no trace, and a
 * removal followed by an addition of the same file becomes one atomic rename(2).
 */
import { DittoError } from '../../shared/errors.ts';
import { newGeneration } from '../metadata/handles.ts';
import { dirAndEntryReads, foldName, readFiles } from '../metadata/store.ts';
import type {
  DirAndFile,
  FileRecord,
  NamedStream,
  StoredEntry,
  StoreReader,
  StoreTx,
  StreamInfo,
} from '../metadata/store.ts';
import { FileType } from '../metadata/types.ts';
import { COOKIE_SCALE } from './listing.ts';
import type { Resolved } from './nodes.ts';

export type TxOp =
  | { kind: 'add'; dir: number; name: string; id: number }
  /** `isDir`: the type the body saw (undefined: not looked at), so the removal needs no lstat. */
  | { kind: 'remove'; dir: number; name: string; id: number; isDir: boolean | undefined }
  | { kind: 'put'; rec: FileRecord }
  | { kind: 'delete'; id: number };

/** What the transaction needs of its store besides reads. */
export interface TxHost extends StoreReader {
  readonly rootId: number;
  listStreams(fileid: number): Promise<StreamInfo[]>;
  getStream(fileid: number, name: string): Promise<NamedStream | undefined>;
  allocate(): number;
  resolve(fileid: number): Resolved | undefined;
  record(r: Resolved): FileRecord;
  /** The file `name` leads to in a resolved directory, resolved (one lstat). */
  entryIn(dir: Resolved, name: string): Resolved | undefined;
  /** A name of a resolved directory that matches `name` but for case. */
  findCaselessIn(dir: Resolved, name: string): Promise<string | undefined>;
}

export class FolderTx implements StoreTx {
  /** Recorded writes, in order. */
  readonly ops: TxOp[] = [];
  /** Records of createFile, to be made in the folder when they get a name. */
  readonly created = new Map<number, FileRecord>();
  /** Records as the body first read them: what a putFile's changes are measured against. */
  readonly seen = new Map<number, FileRecord>();
  /** putFile'd records (null: deleted), for the body's own reads. */
  private readonly latest = new Map<number, FileRecord | null>();
  /** Names added (fileid) or removed (null) by this transaction, by directory. */
  private readonly names = new Map<number, Map<string, number | null>>();
  /** Files and names the body has reached, looked up once (a body takes microseconds). */
  private readonly resolved = new Map<number, Resolved | undefined>();
  private readonly looked = new Map<string, number | undefined>();
  /** Named streams put (or removed: null) by this transaction, by file and folded name; the store writes them at the end. */
  readonly streams = new Map<number, Map<string, NamedStream | null>>();

  constructor(private readonly host: TxHost) {}

  async getFile(fileid: number): Promise<FileRecord | undefined> {
    const latest = this.latest.get(fileid);
    if (latest !== undefined) return latest ?? undefined;
    const known = this.created.get(fileid) ?? this.seen.get(fileid);
    if (known !== undefined) return known;
    const r = this.resolve(fileid);
    if (r === undefined) return undefined;
    const rec = this.host.record(r);
    this.seen.set(fileid, rec);
    return rec;
  }

  dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    return dirAndEntryReads(this, dirId, name);
  }

  async lookup(dirId: number, name: string): Promise<number | undefined> {
    const own = this.names.get(dirId)?.get(name);
    if (own !== undefined) return own ?? undefined;
    const dir = this.resolve(dirId);
    if (!dir?.st.isDirectory()) return undefined;
    const key = `${dirId}/${name}`;
    if (this.looked.has(key)) return this.looked.get(key);
    const entry = this.host.entryIn(dir, name);
    const id = entry?.node.fileid;
    // The body reads the file next (to lock it): that lstat is this one.
    if (id !== undefined && !this.resolved.has(id)) this.resolved.set(id, entry);
    this.looked.set(key, id);
    return id;
  }

  /** The body's own names first, then the folder's (less those the body removed). */
  async findCaseless(dirId: number, name: string): Promise<string | undefined> {
    const wanted = foldName(name);
    const own = this.names.get(dirId);
    for (const [n, id] of own ?? []) if (id !== null && foldName(n) === wanted) return n;
    const dir = this.resolve(dirId);
    const found = dir?.st.isDirectory() ? await this.host.findCaselessIn(dir, name) : undefined;
    return found !== undefined && own?.get(found) === null ? undefined : found;
  }

  async listDir(dirId: number, afterCookie: number, limit: number): Promise<StoredEntry[]> {
    const own = this.names.get(dirId);
    if (own === undefined) return this.host.listDir(dirId, afterCookie, limit);
    const entries = (await this.host.listDir(dirId, 0, Number.MAX_SAFE_INTEGER)).filter((e) => !own.has(e.name));
    for (const [name, id] of own) {
      const file = id === null ? undefined : await this.getFile(id);
      if (file !== undefined) entries.push({ name, cookie: id! * COOKIE_SCALE, file });
    }
    entries.sort((a, b) => a.cookie - b.cookie);
    return entries.filter((e) => e.cookie > afterCookie).slice(0, limit);
  }

  async hasEntries(dirId: number): Promise<boolean> {
    const own = this.names.get(dirId);
    if (own === undefined) return this.host.hasEntries(dirId);
    for (const id of own.values()) if (id !== null) return true;
    const real = await this.host.listDir(dirId, 0, own.size + 1);
    return real.some((e) => !own.has(e.name));
  }

  /** The store's transactions run one at a time: nothing to lock. */
  lockFiles(ids: readonly number[]): Promise<Array<FileRecord | undefined>> {
    return readFiles(this, ids);
  }

  async lockTree(): Promise<void> {}

  /** Every share on a folder has the folder as its root. */
  async getRoot(): Promise<number> {
    return this.host.rootId;
  }

  async createFile(rec: FileRecord): Promise<number> {
    const id = this.host.allocate();
    rec.attr.fileid = id;
    rec.generation = newGeneration();
    if (rec.attr.type === FileType.Regular) rec.attr.payloadId = String(id);
    this.created.set(id, rec);
    return id;
  }

  async putFile(rec: FileRecord): Promise<void> {
    const id = rec.attr.fileid;
    if (this.created.has(id)) {
      this.created.set(id, rec);
      return;
    }
    const stored = await this.getFile(id);
    if (stored === undefined || stored.generation !== rec.generation)
      throw new DittoError('NOT_FOUND', `no file ${id}`);
    this.latest.set(id, rec);
    this.ops.push({ kind: 'put', rec });
  }

  async listStreams(fileid: number): Promise<StreamInfo[]> {
    const stored = await this.host.listStreams(fileid);
    const changed = this.streams.get(fileid);
    if (changed === undefined) return stored;
    const out: StreamInfo[] = [];
    for (const s of stored) {
      const c = changed.get(foldName(s.name));
      if (c === undefined) out.push(s);
      else if (c !== null) out.push({ name: s.name, size: c.data.length });
    }
    const had = new Set(stored.map((s) => foldName(s.name)));
    for (const [k, c] of changed) if (c !== null && !had.has(k)) out.push({ name: c.name, size: c.data.length });
    return out;
  }

  async getStream(fileid: number, name: string): Promise<NamedStream | undefined> {
    const c = this.streams.get(fileid)?.get(foldName(name));
    if (c === undefined) return this.host.getStream(fileid, name);
    return c === null ? undefined : { name: c.name, data: Buffer.from(c.data) };
  }

  async putStream(fileid: number, name: string, data: Buffer): Promise<void> {
    const old = await this.getStream(fileid, name);
    this.streamsOf(fileid).set(foldName(name), { name: old?.name ?? name, data });
  }

  async deleteStream(fileid: number, name: string): Promise<boolean> {
    if ((await this.getStream(fileid, name)) === undefined) return false;
    this.streamsOf(fileid).set(foldName(name), null);
    return true;
  }

  private streamsOf(fileid: number): Map<string, NamedStream | null> {
    let m = this.streams.get(fileid);
    if (m === undefined) this.streams.set(fileid, (m = new Map()));
    return m;
  }

  async deleteFile(fileid: number): Promise<void> {
    // Its index row goes, and its streams with it (folder-index.ts).
    this.streams.delete(fileid);
    this.latest.set(fileid, null);
    this.ops.push({ kind: 'delete', id: fileid });
  }

  async addEntry(dirId: number, name: string, childId: number): Promise<number> {
    if ((await this.lookup(dirId, name)) !== undefined) throw new DittoError('EXISTS', name);
    this.nameMap(dirId).set(name, childId);
    this.ops.push({ kind: 'add', dir: dirId, name, id: childId });
    return childId * COOKIE_SCALE;
  }

  async removeEntry(dirId: number, name: string): Promise<void> {
    const id = await this.lookup(dirId, name);
    if (id === undefined) throw new DittoError('NOT_FOUND', name);
    this.nameMap(dirId).set(name, null);
    const isDir = this.resolved.get(id)?.st.isDirectory();
    this.ops.push({ kind: 'remove', dir: dirId, name, id, isDir });
  }

  /** A folder is the root of every share on it: nothing to record. */
  async setRoot(): Promise<void> {}

  private resolve(fileid: number): Resolved | undefined {
    if (!this.resolved.has(fileid)) this.resolved.set(fileid, this.host.resolve(fileid));
    return this.resolved.get(fileid);
  }

  private nameMap(dirId: number): Map<string, number | null> {
    let m = this.names.get(dirId);
    if (m === undefined) this.names.set(dirId, (m = new Map()));
    return m;
  }
}
