/**
 * In-memory MetadataOps / PayloadOps / runtime for protocol unit tests. Deliberately
 * small: enough semantics to exercise every NFS procedure, no permission checks.
 * Handles are 8 bytes: share id (u32) + fileid (u32).
 */
import pino from 'pino';
import {
  FileType,
  type AuthContext,
  type CreateMode,
  type DirPage,
  type Entry,
  type FileAttr,
  type FileHandle,
  type FsStat,
  type MetadataOps,
  type SetAttrs,
  type Timespec,
  type Wcc,
} from '../../metadata/types.ts';
import type { PayloadOps } from '../../payload/types.ts';
import type { MountRecord, MountsApi, OpSample, ProtocolRuntime, ShareInfo } from '../../runtime/types.ts';
import { DittoError } from '../../../shared/errors.ts';

interface Node {
  attr: FileAttr;
  parent: number;
  children: Map<string, number> | undefined;
  target: string;
  verifier: Buffer | undefined;
}

const T0: Timespec = { sec: 1_700_000_000, nsec: 500 };

export function makeAttr(type: FileType, fileid: number, over: Partial<FileAttr> = {}): FileAttr {
  return {
    type,
    mode: type === FileType.Directory ? 0o755 : 0o644,
    nlink: type === FileType.Directory ? 2 : 1,
    uid: 1000,
    gid: 1000,
    size: 0,
    used: 0,
    rdev: { major: 0, minor: 0 },
    fileid,
    atime: T0,
    mtime: T0,
    ctime: T0,
    btime: T0,
    payloadId: type === FileType.Regular ? `p${fileid}` : '',
    ...over,
  };
}

export class FakeMetadata implements MetadataOps {
  readonly nodes = new Map<number, Node>();
  private nextId = 2;
  readonly dirVerifier = Buffer.from('0102030405060708', 'hex');

  constructor(
    readonly shareName = '/export',
    readonly shareId = 1,
  ) {
    this.nodes.set(1, {
      attr: makeAttr(FileType.Directory, 1),
      parent: 1,
      children: new Map(),
      target: '',
      verifier: undefined,
    });
  }

  handle(fileid: number): FileHandle {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(this.shareId, 0);
    h.writeUInt32BE(fileid, 4);
    return h;
  }

  private node(h: FileHandle): Node {
    this.shareOf(h);
    const n = this.nodes.get(h.readUInt32BE(4));
    if (!n) throw new DittoError('STALE_HANDLE');
    return n;
  }

  private dir(h: FileHandle): Node & { children: Map<string, number> } {
    const n = this.node(h);
    if (!n.children) throw new DittoError('NOT_DIRECTORY');
    return n as Node & { children: Map<string, number> };
  }

  private wcc(n: Node, before: FileAttr): Wcc {
    return { before: { size: before.size, mtime: before.mtime, ctime: before.ctime }, after: n.attr };
  }

  private touch(n: Node): void {
    const now = { sec: n.attr.mtime.sec + 1, nsec: 0 };
    n.attr = { ...n.attr, mtime: now, ctime: now };
  }

  rootHandle(share: string): Promise<FileHandle> {
    if (share !== this.shareName) return Promise.reject(new DittoError('NOT_FOUND'));
    return Promise.resolve(this.handle(1));
  }

  shareOf(handle: FileHandle): string {
    if (handle.length !== 8) throw new DittoError('BAD_HANDLE');
    if (handle.readUInt32BE(0) !== this.shareId) throw new DittoError('STALE_HANDLE');
    return this.shareName;
  }

  async getAttr(handle: FileHandle): Promise<FileAttr> {
    return this.node(handle).attr;
  }

  async setAttr(_auth: AuthContext, handle: FileHandle, attrs: SetAttrs, guardCtime?: Timespec): Promise<Wcc> {
    const n = this.node(handle);
    const before = n.attr;
    if (guardCtime && (guardCtime.sec !== before.ctime.sec || guardCtime.nsec !== before.ctime.nsec)) {
      throw new DittoError('NOT_SYNC');
    }
    const a = { ...before };
    if (attrs.mode !== undefined) a.mode = attrs.mode;
    if (attrs.uid !== undefined) a.uid = attrs.uid;
    if (attrs.gid !== undefined) a.gid = attrs.gid;
    if (attrs.size !== undefined) {
      if (a.type === FileType.Directory) throw new DittoError('IS_DIRECTORY');
      a.size = attrs.size;
    }
    if (attrs.atime !== undefined) a.atime = attrs.atime === 'server' ? T0 : attrs.atime;
    if (attrs.mtime !== undefined) a.mtime = attrs.mtime === 'server' ? T0 : attrs.mtime;
    n.attr = a;
    return this.wcc(n, before);
  }

  async lookup(_auth: AuthContext, dir: FileHandle, name: string): Promise<Entry & { dirAttr: FileAttr }> {
    const d = this.dir(dir);
    const id = name === '..' ? d.parent : name === '.' ? dir.readUInt32BE(4) : d.children.get(name);
    if (id === undefined) throw new DittoError('NOT_FOUND');
    return { handle: this.handle(id), attr: (this.nodes.get(id) as Node).attr, dirAttr: d.attr };
  }

  async access(
    _auth: AuthContext,
    handle: FileHandle,
    requested: number,
  ): Promise<{ granted: number; attr: FileAttr }> {
    return { granted: requested, attr: this.node(handle).attr };
  }

  async readLink(_auth: AuthContext, handle: FileHandle): Promise<{ target: string; attr: FileAttr }> {
    const n = this.node(handle);
    if (n.attr.type !== FileType.Symlink) throw new DittoError('INVALID_ARGUMENT');
    return { target: n.target, attr: n.attr };
  }

  private add(
    dir: FileHandle,
    name: string,
    attr: (id: number) => FileAttr,
    extra: Partial<Node> = {},
  ): Entry & { dirWcc: Wcc } {
    const d = this.dir(dir);
    if (d.children.has(name)) throw new DittoError('EXISTS');
    const before = d.attr;
    const id = this.nextId++;
    const n: Node = {
      attr: attr(id),
      parent: dir.readUInt32BE(4),
      children: undefined,
      target: '',
      verifier: undefined,
      ...extra,
    };
    this.nodes.set(id, n);
    d.children.set(name, id);
    this.touch(d);
    return { handle: this.handle(id), attr: n.attr, dirWcc: this.wcc(d, before) };
  }

  async create(
    _auth: AuthContext,
    dir: FileHandle,
    name: string,
    attrs: SetAttrs,
    mode: CreateMode,
  ): Promise<Entry & { dirWcc: Wcc }> {
    const d = this.dir(dir);
    const existing = d.children.get(name);
    if (existing !== undefined) {
      const n = this.nodes.get(existing) as Node;
      const same = mode.kind === 'exclusive' && n.verifier?.equals(mode.verifier);
      if (mode.kind === 'guarded' || (mode.kind === 'exclusive' && !same)) throw new DittoError('EXISTS');
      return { handle: this.handle(existing), attr: n.attr, dirWcc: { before: undefined, after: d.attr } };
    }
    const verifier = mode.kind === 'exclusive' ? mode.verifier : undefined;
    return this.add(
      dir,
      name,
      (id) => makeAttr(FileType.Regular, id, { mode: attrs.mode ?? 0o644, size: attrs.size ?? 0 }),
      { verifier },
    );
  }

  async mkdir(_auth: AuthContext, dir: FileHandle, name: string, attrs: SetAttrs): Promise<Entry & { dirWcc: Wcc }> {
    return this.add(dir, name, (id) => makeAttr(FileType.Directory, id, { mode: attrs.mode ?? 0o755 }), {
      children: new Map(),
    });
  }

  async symlink(
    _auth: AuthContext,
    dir: FileHandle,
    name: string,
    target: string,
    _attrs: SetAttrs,
  ): Promise<Entry & { dirWcc: Wcc }> {
    return this.add(dir, name, (id) => makeAttr(FileType.Symlink, id, { size: target.length, mode: 0o777 }), {
      target,
    });
  }

  async mknod(
    _auth: AuthContext,
    dir: FileHandle,
    name: string,
    type: FileType,
    _attrs: SetAttrs,
    rdev: { major: number; minor: number },
  ): Promise<Entry & { dirWcc: Wcc }> {
    return this.add(dir, name, (id) => makeAttr(type, id, { rdev }));
  }

  private unlink(dir: FileHandle, name: string, wantDir: boolean): { dirWcc: Wcc; removed: FileAttr } {
    const d = this.dir(dir);
    const id = d.children.get(name);
    if (id === undefined) throw new DittoError('NOT_FOUND');
    const n = this.nodes.get(id) as Node;
    if (wantDir && !n.children) throw new DittoError('NOT_DIRECTORY');
    if (!wantDir && n.children) throw new DittoError('IS_DIRECTORY');
    if (n.children && n.children.size > 0) throw new DittoError('NOT_EMPTY');
    const before = d.attr;
    d.children.delete(name);
    n.attr = { ...n.attr, nlink: n.children ? 0 : n.attr.nlink - 1 };
    if (n.attr.nlink === 0) this.nodes.delete(id);
    this.touch(d);
    return { dirWcc: this.wcc(d, before), removed: n.attr };
  }

  async remove(_auth: AuthContext, dir: FileHandle, name: string): Promise<{ dirWcc: Wcc; removed: FileAttr }> {
    return this.unlink(dir, name, false);
  }

  async rmdir(_auth: AuthContext, dir: FileHandle, name: string): Promise<{ dirWcc: Wcc }> {
    return { dirWcc: this.unlink(dir, name, true).dirWcc };
  }

  async rename(
    _auth: AuthContext,
    fromDir: FileHandle,
    fromName: string,
    toDir: FileHandle,
    toName: string,
  ): Promise<{ fromWcc: Wcc; toWcc: Wcc; replaced: FileAttr | undefined }> {
    const f = this.dir(fromDir);
    const t = this.dir(toDir);
    const id = f.children.get(fromName);
    if (id === undefined) throw new DittoError('NOT_FOUND');
    const fBefore = f.attr;
    const tBefore = t.attr;
    let replaced: FileAttr | undefined;
    if (t.children.has(toName)) replaced = this.unlink(toDir, toName, false).removed;
    f.children.delete(fromName);
    t.children.set(toName, id);
    this.touch(f);
    if (t !== f) this.touch(t);
    return { fromWcc: this.wcc(f, fBefore), toWcc: this.wcc(t, tBefore), replaced };
  }

  async link(
    _auth: AuthContext,
    file: FileHandle,
    dir: FileHandle,
    name: string,
  ): Promise<{ attr: FileAttr; dirWcc: Wcc }> {
    const n = this.node(file);
    const d = this.dir(dir);
    if (d.children.has(name)) throw new DittoError('EXISTS');
    const before = d.attr;
    d.children.set(name, file.readUInt32BE(4));
    n.attr = { ...n.attr, nlink: n.attr.nlink + 1 };
    this.touch(d);
    return { attr: n.attr, dirWcc: this.wcc(d, before) };
  }

  /** Cookies are 1-based positions in name order. */
  async readDir(
    _auth: AuthContext,
    dir: FileHandle,
    cookie: number,
    verifier: Buffer | undefined,
    maxEntries: number,
  ): Promise<DirPage> {
    const d = this.dir(dir);
    if (verifier && !verifier.equals(this.dirVerifier)) throw new DittoError('BAD_COOKIE');
    const names = [...d.children.keys()].sort();
    const slice = names.slice(cookie, cookie + maxEntries);
    const entries = slice.map((name, i) => {
      const id = d.children.get(name) as number;
      return {
        name,
        fileid: id,
        cookie: cookie + i + 1,
        handle: this.handle(id),
        attr: (this.nodes.get(id) as Node).attr,
      };
    });
    return { entries, eof: cookie + slice.length >= names.length, verifier: this.dirVerifier, dirAttr: d.attr };
  }

  async prepareRead(_auth: AuthContext, handle: FileHandle): Promise<FileAttr> {
    return this.node(handle).attr;
  }

  async prepareWrite(_auth: AuthContext, handle: FileHandle): Promise<FileAttr> {
    return this.node(handle).attr;
  }

  async commitWrite(_auth: AuthContext, handle: FileHandle, end: number): Promise<Wcc> {
    const n = this.node(handle);
    const before = n.attr;
    n.attr = { ...before, size: Math.max(before.size, end), used: Math.max(before.size, end) };
    this.touch(n);
    return this.wcc(n, before);
  }

  async fsStat(handle: FileHandle): Promise<FsStat> {
    this.node(handle);
    return {
      totalBytes: 1 << 30,
      freeBytes: 1 << 29,
      availBytes: 1 << 29,
      totalFiles: 1000,
      freeFiles: 900,
      availFiles: 900,
    };
  }
}

export class FakePayload implements PayloadOps {
  readonly blobs = new Map<string, Buffer>();
  readonly calls: string[] = [];

  async readAt(_share: string, payloadId: string, offset: number, length: number): Promise<Buffer> {
    const out = Buffer.alloc(length);
    const blob = this.blobs.get(payloadId);
    if (blob && offset < blob.length) blob.copy(out, 0, offset, offset + length);
    return out;
  }

  async writeAt(_share: string, payloadId: string, data: Buffer, offset: number): Promise<void> {
    this.calls.push(`write ${payloadId} ${offset} ${data.length}`);
    const cur = this.blobs.get(payloadId) ?? Buffer.alloc(0);
    const next = Buffer.alloc(Math.max(cur.length, offset + data.length));
    cur.copy(next);
    data.copy(next, offset);
    this.blobs.set(payloadId, next);
  }

  async truncate(_share: string, payloadId: string, size: number): Promise<void> {
    this.calls.push(`truncate ${payloadId} ${size}`);
    const cur = this.blobs.get(payloadId);
    if (cur && cur.length > size) this.blobs.set(payloadId, cur.subarray(0, size));
  }

  async flush(_share: string, payloadId: string): Promise<void> {
    this.calls.push(`flush ${payloadId}`);
  }

  async delete(_share: string, payloadId: string): Promise<void> {
    this.calls.push(`delete ${payloadId}`);
    this.blobs.delete(payloadId);
  }
}

export class FakeMounts implements MountsApi {
  readonly records: MountRecord[] = [];
  readonly samples: OpSample[] = [];

  add(rec: Omit<MountRecord, 'id' | 'since' | 'bytesRead' | 'bytesWritten' | 'ops'>): MountRecord {
    const m = {
      ...rec,
      id: String(this.records.length + 1),
      since: '2024-01-01T00:00:00.000Z',
      bytesRead: 0,
      bytesWritten: 0,
      ops: 0,
    };
    this.records.push(m);
    return m;
  }

  remove(protocol: string, clientAddr: string, share?: string): number {
    const before = this.records.length;
    const keep = this.records.filter(
      (m) => !(m.protocol === protocol && m.clientAddr === clientAddr && (share === undefined || m.share === share)),
    );
    this.records.splice(0, this.records.length, ...keep);
    return before - keep.length;
  }

  list(): MountRecord[] {
    return [...this.records];
  }

  record(sample: OpSample): void {
    this.samples.push(sample);
  }
}

export interface FakeRuntime extends ProtocolRuntime {
  metadata: FakeMetadata;
  payload: FakePayload;
  mounts: FakeMounts;
  share: ShareInfo;
}

export function fakeRuntime(allowedNetworks: string[] = []): FakeRuntime {
  const metadata = new FakeMetadata();
  const share: ShareInfo = {
    name: metadata.shareName,
    id: metadata.shareId,
    enabled: true,
    export: { readOnly: false, squash: 'none', anonUid: 65534, anonGid: 65534, allowedNetworks },
  };
  return {
    metadata,
    payload: new FakePayload(),
    mounts: new FakeMounts(),
    share,
    shares: { get: (name) => (name === share.name ? share : undefined), list: () => [share] },
    logger: pino({ level: 'silent' }),
    bootVerifier: Buffer.from('b00710ad0000beef', 'hex'),
  };
}
