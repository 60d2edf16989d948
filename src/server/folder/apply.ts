/**
 * Turns a folder transaction's recorded operations (folder-tx.ts) into file-system calls,
 * in order, once its body has returned:
 * - addEntry of a created record makes the object (O_EXCL open, mkdir, symlink, mkfifo);
 * - removeEntry waits: an addEntry of the same file later in the transaction makes the pair
 *   one rename(2), which also replaces a target removed just before (atomically, never
 *   unlink + rename); a removal nothing consumed becomes unlink(2) / rmdir(2) at the end;
 * - addEntry of an existing file is link(2);
 * - putFile applies what changed against the record the body read: size by truncate(2),
 *   explicit times by utimes, owner and mode by chown/chmod as root and in the index
 *   otherwise (attrs.ts). Times of objects whose entries the transaction changed, or that
 *   were just written, are the kernel's (it just set them).
 * The calls are synchronous: on the threadpool they would queue behind fsyncs (each holds a
 * thread for milliseconds), which measured twice as slow for creates. The index follows
 * each call that succeeded, so after a failure it still describes the folder. The result
 * names what must be synced before the transaction is answered.
 */
import {
  chmodSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  ftruncateSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  renameSync,
  truncateSync,
  type BigIntStats,
} from 'node:fs';
import { DittoError } from '../../shared/errors.ts';
import type { FileRecord } from '../metadata/store.ts';
import { sameTime } from '../metadata/time.ts';
import { FileType, type Timespec } from '../metadata/types.ts';
import { defaultDos, type OwnerPolicy, realModeOf } from './attrs.ts';
import { fsError } from './errors.ts';
import type { FolderNode } from './folder-index.ts';
import type { FolderTx, TxOp } from './folder-tx.ts';
import { createObject, removeObject } from './fs-ops.ts';
import type { NodeTable } from './nodes.ts';
import { identityOf, lstatOrUndefined, nsOf, utimeOf } from './stat.ts';

type Removal = Extract<TxOp, { kind: 'remove' }>;

export interface Applied {
  /** Directories whose entries changed (fsync before answering). */
  dirs: Set<number>;
  /** Files whose size changed (fsync before answering). */
  files: Set<string>;
  /**
   * Records the body handed over that now exist in the folder, with the file's lstat where
   * it was just taken: the store gives them the files' real attributes.
   */
  records: Array<[FileRecord, BigIntStats | undefined]>;
}

export interface ApplyHost {
  nodes: NodeTable;
  policy: OwnerPolicy;
  /** Whether content was written to the file since the last call (which clears it). */
  takeWritten(fileid: number): boolean;
  /** Keeps (or closes) the read-write descriptor of a file just created. */
  adopt(fileid: number, fd: number): void;
  /** Holds a descriptor of the file until it is forgotten: its last name is about to go while it is open. */
  keep(fileid: number): void;
  /** The directory's entries changed: cached listings of it are out of date. */
  dirChanged(dirId: number): void;
  /** dfs made `name` in the directory (caseless-names.ts keeps its names). */
  nameAdded(dirId: number, name: string): void;
  /** dfs removed `name` from the directory. */
  nameRemoved(dirId: number, name: string): void;
}

const key = (dir: number, name: string): string => `${dir}/${name}`;

export function applyTx(host: ApplyHost, tx: FolderTx): Applied {
  return new Applier(host, tx).run();
}

class Applier {
  private readonly removals = new Map<string, Removal>();
  /** Files whose entries (directories) or names (the files themselves) changed. */
  private readonly touched = new Set<number>();
  private readonly out: Applied = { dirs: new Set(), files: new Set(), records: [] };

  constructor(
    private readonly host: ApplyHost,
    private readonly tx: FolderTx,
  ) {}

  run(): Applied {
    const puts: FileRecord[] = [];
    const deletes: number[] = [];
    // A regular file put with no link is kept for its opens (metadata/open-holds.ts): its
    // descriptor is taken while it still has a name, and its data lives on in it.
    for (const op of this.tx.ops)
      if (op.kind === 'put' && op.rec.attr.nlink === 0 && op.rec.attr.type === FileType.Regular)
        this.keep(op.rec.attr.fileid);
    for (const op of this.tx.ops) {
      if (op.kind === 'remove') this.removals.set(key(op.dir, op.name), op);
      else if (op.kind === 'add') this.add(op.dir, op.name, op.id);
      else if (op.kind === 'put') puts.push(op.rec);
      else deletes.push(op.id);
    }
    for (const r of [...this.removals.values()]) this.remove(r);
    for (const id of deletes) this.host.nodes.forget(id);
    for (const rec of puts) this.put(rec);
    return this.out;
  }

  /** A file dfs may not open (its mode) is not kept: it goes with its name, as before open-holds.ts. */
  private keep(fileid: number): void {
    try {
      this.host.keep(fileid);
    } catch {
      // The opens holding it get STALE from now on, as for any file gone.
    }
  }

  private add(dir: number, name: string, id: number): void {
    const { nodes } = this.host;
    const target = nodes.childPath(dir, name);
    const k = key(dir, name);
    const replaced = this.removals.get(k);
    const created = this.tx.created.get(id);
    let source: Removal | undefined;
    for (const r of this.removals.values()) if (r.id === id && r !== replaced) source = r;
    if (created !== undefined && nodes.get(id) === undefined) {
      if (replaced !== undefined) this.remove(replaced);
      const { st, fd } = createObject(created, target, this.host.policy.realOwnership);
      this.host.nameAdded(dir, name);
      nodes.save(this.newNode(created, st, dir, name));
      if (fd !== undefined) this.host.adopt(id, fd);
      this.out.records.push([created, st]);
    } else if (source !== undefined) {
      const from = nodes.childPath(source.dir, source.name);
      try {
        renameSync(from, target);
      } catch (err) {
        throw fsError(err, target, true);
      }
      this.host.nameRemoved(source.dir, source.name);
      this.host.nameAdded(dir, name);
      this.removals.delete(key(source.dir, source.name));
      if (replaced !== undefined) this.removals.delete(k);
      this.changed(source.dir);
      const node = nodes.get(id);
      if (node !== undefined) nodes.move(node, dir, name);
    } else {
      if (replaced !== undefined) this.remove(replaced);
      const existing = nodes.pathOf(id);
      if (existing === undefined) throw new DittoError('STALE_HANDLE');
      try {
        linkSync(existing, target);
      } catch (err) {
        throw fsError(err, target);
      }
      this.host.nameAdded(dir, name);
    }
    this.touched.add(id);
    this.changed(dir);
  }

  private remove(r: Removal): void {
    this.removals.delete(key(r.dir, r.name));
    removeObject(this.host.nodes.childPath(r.dir, r.name), r.isDir);
    this.host.nameRemoved(r.dir, r.name);
    this.touched.add(r.id);
    this.changed(r.dir);
  }

  private changed(dir: number): void {
    this.touched.add(dir);
    this.out.dirs.add(dir);
    this.host.dirChanged(dir);
  }

  /** A node for a created record: what the process could not give the file itself is kept in the index. */
  private newNode(rec: FileRecord, st: BigIntStats, parent: number, name: string): FolderNode {
    const overlay = !this.host.policy.realOwnership;
    const node: FolderNode = {
      fileid: rec.attr.fileid,
      generation: rec.generation,
      ...identityOf(st),
      parent,
      name,
      uid: overlay ? rec.attr.uid : null,
      gid: overlay ? rec.attr.gid : null,
      mode: overlay ? rec.attr.mode : null,
      realMode: overlay ? realModeOf(st) : null,
      ...NO_OVERLAY_TIMES,
      verifier: rec.verifier ?? null,
      dos: rec.attr.dosAttributes === defaultDos(rec.attr.type) ? null : rec.attr.dosAttributes,
    };
    keepExactTimes(node, rec.attr.atime, rec.attr.mtime, st);
    return node;
  }

  private put(rec: FileRecord): void {
    const id = rec.attr.fileid;
    const base = this.tx.seen.get(id);
    const { nodes, policy } = this.host;
    const node = nodes.get(id);
    if (base === undefined || node === undefined) return;
    const a = rec.attr;
    const b = base.attr;
    const owner = a.uid !== b.uid || a.gid !== b.gid;
    const mode = a.mode !== b.mode && a.type !== FileType.Symlink;
    const size = a.size !== b.size && a.type === FileType.Regular;
    // A write or truncation just set mtime and ctime itself; a time equal to the new ctime
    // is that change's time (not one asked for), which the file's own times already say.
    const written = this.host.takeWritten(id) || size;
    const implicit = this.touched.has(id) || (written && sameTime(a.mtime, a.ctime) && sameTime(a.atime, b.atime));
    const times = !implicit && (!sameTime(a.atime, b.atime) || !sameTime(a.mtime, b.mtime));
    const onFile = size || times || (policy.realOwnership && (owner || mode));
    const ctime = !onFile && !written && !this.touched.has(id) && !sameTime(a.ctime, b.ctime);
    const dos = a.dosAttributes !== b.dosAttributes;
    const verifier = !sameVerifier(rec.verifier, base.verifier);
    if (!onFile && !owner && !mode && !ctime && !dos && !verifier) {
      // Nothing to change (a directory's new times after a create or remove): no lstat.
      this.out.records.push([rec, undefined]);
      return;
    }
    // A file kept with no name (content.ts keep) is changed through its descriptor.
    const kept = nodes.keptDescriptor(id);
    const r = nodes.resolve(id, onFile && kept === undefined);
    if (r === undefined) throw new DittoError('STALE_HANDLE');
    const file = kept === undefined ? byPath(r.path) : byDescriptor(kept);
    let indexed = false;
    if (onFile) {
      try {
        // chown before chmod: the kernel's chown clears setuid/setgid, the mode asked for stands.
        if (owner && policy.realOwnership) file.chown(a.uid, a.gid);
        if (mode && policy.realOwnership) file.chmod(a.mode);
        if (size) {
          file.truncate(a.size);
          if (kept === undefined) this.out.files.add(r.path);
        }
        if (times) {
          file.utimes(utimeOf(a.atime), utimeOf(a.mtime));
          keepExactTimes(node, a.atime, a.mtime, file.stat());
          indexed = true;
        }
      } catch (err) {
        throw fsError(err, r.path);
      }
    }
    if (owner && !policy.realOwnership) {
      node.uid = a.uid;
      node.gid = a.gid;
      indexed = true;
    }
    if (mode && !policy.realOwnership) {
      node.mode = a.mode;
      node.realMode = realModeOf(r.st);
      indexed = true;
    }
    // A change the file itself did not record (or none at all) still moves ctime.
    if (ctime) {
      node.ctime = nsOf(a.ctime);
      indexed = true;
    }
    if (dos) {
      node.dos = a.dosAttributes;
      indexed = true;
    }
    if (verifier) {
      node.verifier = rec.verifier ?? null;
      indexed = true;
    }
    if (indexed) nodes.save(node);
    this.out.records.push([rec, undefined]);
  }
}

/** The calls `put` changes a file with. */
interface FileCalls {
  chown(uid: number, gid: number): void;
  chmod(mode: number): void;
  truncate(size: number): void;
  utimes(atime: number, mtime: number): void;
  stat(): BigIntStats | undefined;
}

function byPath(path: string): FileCalls {
  return {
    chown: (uid, gid) => lchownSync(path, uid, gid),
    chmod: (mode) => chmodSync(path, mode),
    truncate: (size) => truncateSync(path, size),
    utimes: (atime, mtime) => lutimesSync(path, atime, mtime),
    stat: () => lstatOrUndefined(path),
  };
}

/** A regular file with no name left: only its descriptor reaches it (and it has no durability to sync). */
function byDescriptor(fd: number): FileCalls {
  return {
    chown: (uid, gid) => fchownSync(fd, uid, gid),
    chmod: (mode) => fchmodSync(fd, mode),
    truncate: (size) => ftruncateSync(fd, size),
    utimes: (atime, mtime) => futimesSync(fd, atime, mtime),
    stat: () => fstatSync(fd, { bigint: true }),
  };
}

function sameVerifier(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

const NO_OVERLAY_TIMES = { ctime: null, atime: null, mtime: null, realAtime: null, realMtime: null };

/** Times asked for to the nanosecond that the file holds to the microsecond only are kept in the node. */
function keepExactTimes(node: FolderNode, atime: Timespec, mtime: Timespec, st: BigIntStats | undefined): void {
  const a = nsOf(atime);
  const m = nsOf(mtime);
  const exact = st === undefined || (st.atimeNs === a && st.mtimeNs === m);
  node.atime = exact ? null : a;
  node.mtime = exact ? null : m;
  node.realAtime = exact ? null : st.atimeNs;
  node.realMtime = exact ? null : st.mtimeNs;
}
