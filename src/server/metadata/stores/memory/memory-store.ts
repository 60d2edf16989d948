/**
 * Ephemeral metadata store. Transactions run one after another and apply their writes in
 * place, keeping an undo log that restores the previous state when the body throws.
 */
import { randomBytes } from 'node:crypto';
import { freemem, totalmem } from 'node:os';
import { DittoError } from '../../../../shared/errors.ts';
import { newGeneration } from '../../handles.ts';
import { dirAndEntryReads, foldName, readFiles } from '../../store.ts';
import type {
  DirAndFile,
  FileRecord,
  MetadataStore,
  NamedStream,
  StreamInfo,
  StoreReader,
  StoreSpace,
  StoredEntry,
  StoreTx,
} from '../../store.ts';

interface Slot {
  name: string;
  fileid: number;
  cookie: number;
  live: boolean;
}

/** Entries of one directory: by name, and in cookie order (removed slots linger until compaction). */
class DirIndex {
  readonly byName = new Map<string, Slot>();
  slots: Slot[] = [];
  dead = 0;

  /** Index of the first slot with a cookie greater than `cookie` (binary search; slots are sorted). */
  firstAfter(cookie: number): number {
    let lo = 0;
    let hi = this.slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.slots[mid]!.cookie <= cookie) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  compact(): void {
    if (this.dead > 32 && this.dead * 2 > this.slots.length) {
      this.slots = this.slots.filter((s) => s.live);
      this.dead = 0;
    }
  }
}

interface MemoryState {
  readonly files: Map<number, FileRecord>;
  readonly dirs: Map<number, DirIndex>;
  readonly roots: Map<string, number>;
  /** Named streams of each file that has any, by folded name (insertion order is creation order). */
  readonly streams: Map<number, Map<string, NamedStream>>;
  nextFileId: number;
  nextCookie: number;
}

class MemoryReader implements StoreReader {
  constructor(protected readonly state: MemoryState) {}

  async getFile(fileid: number): Promise<FileRecord | undefined> {
    return this.state.files.get(fileid);
  }

  dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    return dirAndEntryReads(this, dirId, name);
  }

  async lookup(dirId: number, name: string): Promise<number | undefined> {
    return this.state.dirs.get(dirId)?.byName.get(name)?.fileid;
  }

  /** A scan in cookie order: memory is fast enough for the stores this one stands in for in tests. */
  async findCaseless(dirId: number, name: string): Promise<string | undefined> {
    const wanted = foldName(name);
    return this.state.dirs.get(dirId)?.slots.find((s) => s.live && foldName(s.name) === wanted)?.name;
  }

  async listDir(dirId: number, afterCookie: number, limit: number): Promise<StoredEntry[]> {
    const dir = this.state.dirs.get(dirId);
    const out: StoredEntry[] = [];
    if (dir === undefined) return out;
    const { slots } = dir;
    for (let i = dir.firstAfter(afterCookie); i < slots.length && out.length < limit; i++) {
      const s = slots[i]!;
      const file = s.live ? this.state.files.get(s.fileid) : undefined;
      if (file !== undefined) out.push({ name: s.name, cookie: s.cookie, file });
    }
    return out;
  }

  async hasEntries(dirId: number): Promise<boolean> {
    return (this.state.dirs.get(dirId)?.byName.size ?? 0) > 0;
  }

  async getRoot(share: string): Promise<number | undefined> {
    return this.state.roots.get(share);
  }

  async listStreams(fileid: number): Promise<StreamInfo[]> {
    return [...(this.state.streams.get(fileid)?.values() ?? [])].map((s) => ({ name: s.name, size: s.data.length }));
  }

  async getStream(fileid: number, name: string): Promise<NamedStream | undefined> {
    const s = this.state.streams.get(fileid)?.get(foldName(name));
    return s && { name: s.name, data: Buffer.from(s.data) };
  }
}

/** Writes apply in place; `undo` restores the previous state in reverse order. */
class MemoryTx extends MemoryReader implements StoreTx {
  readonly undo: Array<() => void> = [];
  /** Directories with removed slots, compacted once the transaction is over. */
  readonly touched = new Set<DirIndex>();

  /** Transactions run one at a time: nothing to lock. */
  lockFiles(ids: readonly number[]): Promise<Array<FileRecord | undefined>> {
    return readFiles(this, ids);
  }

  async lockTree(): Promise<void> {}

  async createFile(rec: FileRecord): Promise<number> {
    const { files } = this.state;
    const id = this.state.nextFileId++;
    rec.attr.fileid = id;
    rec.generation = newGeneration();
    files.set(id, rec);
    this.undo.push(() => files.delete(id));
    return id;
  }

  async putFile(rec: FileRecord): Promise<void> {
    const { files } = this.state;
    const id = rec.attr.fileid;
    const old = files.get(id);
    if (old === undefined || old.generation !== rec.generation) throw new DittoError('NOT_FOUND', `no file ${id}`);
    files.set(id, rec);
    this.undo.push(() => files.set(id, old));
  }

  async deleteFile(id: number): Promise<void> {
    const { files, dirs } = this.state;
    const old = files.get(id);
    if (old === undefined) return;
    const dir = dirs.get(id);
    const streams = this.state.streams.get(id);
    files.delete(id);
    dirs.delete(id);
    this.state.streams.delete(id);
    this.undo.push(() => {
      files.set(id, old);
      if (dir !== undefined) dirs.set(id, dir);
      if (streams !== undefined) this.state.streams.set(id, streams);
    });
  }

  async addEntry(dirId: number, name: string, childId: number): Promise<number> {
    const { dirs } = this.state;
    let dir = dirs.get(dirId);
    if (dir === undefined) {
      dir = new DirIndex();
      dirs.set(dirId, dir);
    }
    if (dir.byName.has(name)) throw new DittoError('EXISTS', name);
    const slot: Slot = { name, fileid: childId, cookie: this.state.nextCookie++, live: true };
    dir.slots.push(slot);
    dir.byName.set(name, slot);
    const d = dir;
    this.undo.push(() => {
      slot.live = false;
      d.dead++;
      d.byName.delete(name);
      this.touched.add(d);
    });
    return slot.cookie;
  }

  async removeEntry(dirId: number, name: string): Promise<void> {
    const dir = this.state.dirs.get(dirId);
    const slot = dir?.byName.get(name);
    if (dir === undefined || slot === undefined) throw new DittoError('NOT_FOUND', name);
    slot.live = false;
    dir.dead++;
    dir.byName.delete(name);
    this.touched.add(dir);
    this.undo.push(() => {
      slot.live = true;
      dir.dead--;
      dir.byName.set(name, slot);
    });
  }

  async setRoot(share: string, fileid: number): Promise<void> {
    const { roots } = this.state;
    const old = roots.get(share);
    roots.set(share, fileid);
    this.undo.push(() => (old === undefined ? roots.delete(share) : roots.set(share, old)));
  }

  async putStream(fileid: number, name: string, data: Buffer): Promise<void> {
    const { streams } = this.state;
    let ofFile = streams.get(fileid);
    if (ofFile === undefined) {
      ofFile = new Map();
      streams.set(fileid, ofFile);
    }
    const key = foldName(name);
    const old = ofFile.get(key);
    ofFile.set(key, { name: old?.name ?? name, data });
    const map = ofFile;
    this.undo.push(() => (old === undefined ? map.delete(key) : map.set(key, old)));
  }

  async deleteStream(fileid: number, name: string): Promise<boolean> {
    const ofFile = this.state.streams.get(fileid);
    const key = foldName(name);
    const old = ofFile?.get(key);
    if (ofFile === undefined || old === undefined) return false;
    ofFile.delete(key);
    this.undo.push(() => ofFile.set(key, old));
    return true;
  }
}

export class MemoryMetadataStore extends MemoryReader implements MetadataStore {
  readonly epoch = randomBytes(4).readUInt32BE(0);
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor() {
    super({ files: new Map(), dirs: new Map(), roots: new Map(), streams: new Map(), nextFileId: 1, nextCookie: 1 });
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new DittoError('IO', 'metadata store is closed'));
    const run = this.tail.then(() => this.runTx(fn));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async fileCount(): Promise<number> {
    return this.state.files.size;
  }

  /** A scan: a memory store starts empty each run, so only a share added to a filled one pays for it. */
  async orphans(): Promise<FileRecord[]> {
    return [...this.state.files.values()].filter((rec) => rec.attr.nlink === 0);
  }

  /** A memory store is bounded by RAM. */
  async space(): Promise<StoreSpace> {
    const free = freemem();
    return { totalBytes: totalmem(), freeBytes: free, availBytes: free };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  private async runTx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const tx = new MemoryTx(this.state);
    try {
      return await fn(tx);
    } catch (err) {
      for (let i = tx.undo.length - 1; i >= 0; i--) tx.undo[i]!();
      throw err;
    } finally {
      // Compaction drops slots, so it waits until no undo entry can refer to them.
      for (const dir of tx.touched) dir.compact();
    }
  }
}
