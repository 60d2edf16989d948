/**
 * Fileids of a folder share's files and the paths to them. Nodes come from the index
 * (folder-index.ts) and are kept in memory, a bounded number of them; a path is built from
 * the chain of (parent, name) up to the root. `resolve` checks that the path still leads to
 * the node's file (same device, inode and birth time) and looks for it when it does not
 * (locate.ts): a file renamed or moved in the folder keeps its fileid, one that is gone
 * resolves to nothing (STALE), and a new file that got a freed inode number is never taken
 * for the old one.
 */
import { fstatSync, type BigIntStats } from 'node:fs';
import { DittoError } from '../../shared/errors.ts';
import { newGeneration } from '../metadata/handles.ts';
import type { FolderIndex, FolderNode } from './folder-index.ts';
import { locate } from './locate.ts';
import { type Identity, identityOf, lstatOrUndefined, sameFile } from './stat.ts';

/**
 * A node checked against its file: `st` is the file's lstat at `path`, or, for a file dfs
 * holds open, the fstat of that descriptor (`path` is then the index's, unchecked: the file
 * may have been renamed since, which changes nothing for it).
 */
export interface Resolved {
  node: FolderNode;
  path: string;
  st: BigIntStats;
}

export interface NodeTableOptions {
  /** Nodes kept in memory (the index holds them all). */
  maxCached?: number;
  /** Entries a search for a moved file may visit (locate.ts). */
  maxScan?: number;
}

const DEFAULT_MAX_CACHED = 100_000;
const DEFAULT_MAX_SCAN = 20_000;
/** Deeper chains than this mean a corrupt index (a cycle), not a real tree. */
const MAX_DEPTH = 4096;

/** Nothing set over NFS: the file's own owner and mode show. */
export const NO_OVERLAY = {
  uid: null,
  gid: null,
  mode: null,
  realMode: null,
  ctime: null,
  atime: null,
  mtime: null,
  realAtime: null,
  realMtime: null,
  verifier: null,
  dos: null,
} as const;

const inodeKey = (id: Identity): string => `${id.dev}:${id.ino}`;

export class NodeTable {
  private readonly byId = new Map<number, FolderNode>();
  private readonly byInode = new Map<string, number>();
  private nextId: number;
  private readonly maxCached: number;
  readonly maxScan: number;
  /** Called when a fileid stops existing (its file is gone): caches drop what they hold for it. */
  onForget: (fileid: number) => void = () => undefined;
  /** A descriptor dfs holds open on the file, if any (content.ts). */
  descriptorOf: (fileid: number) => number | undefined = () => undefined;
  /** The descriptor of a file kept with no name while open (content.ts `keep`), if any. */
  keptDescriptor: (fileid: number) => number | undefined = () => undefined;

  constructor(
    private readonly index: FolderIndex,
    readonly rootPath: string,
    readonly root: FolderNode,
    options: NodeTableOptions = {},
  ) {
    this.nextId = index.maxFileIdEver() + 1;
    this.maxCached = options.maxCached ?? DEFAULT_MAX_CACHED;
    this.maxScan = options.maxScan ?? DEFAULT_MAX_SCAN;
    this.cache(root);
  }

  get rootId(): number {
    return this.root.fileid;
  }

  /** A fresh fileid: above every one handed out before, in this run or an earlier one. */
  allocate(): number {
    return this.nextId++;
  }

  get(fileid: number): FolderNode | undefined {
    const cached = this.byId.get(fileid);
    if (cached !== undefined) return cached;
    const node = this.index.get(fileid);
    if (node !== undefined) this.cache(node);
    return node;
  }

  /** The path the index knows for `fileid`, unchecked; undefined if a link of the chain is missing. */
  pathOf(fileid: number): string | undefined {
    const names: string[] = [];
    let id = fileid;
    for (let depth = 0; id !== this.root.fileid; depth++) {
      const node = this.get(id);
      if (node === undefined || depth > MAX_DEPTH) return undefined;
      names.push(node.name);
      id = node.parent;
    }
    let path = this.rootPath;
    for (let i = names.length - 1; i >= 0; i--) path += `/${names[i]}`;
    return path;
  }

  /** Path of `name` in directory `dirId`; STALE_HANDLE if the directory's path is unknown. */
  childPath(dirId: number, name: string): string {
    const dir = this.pathOf(dirId);
    if (dir === undefined) throw new DittoError('STALE_HANDLE');
    return `${dir}/${name}`;
  }

  /**
   * The node, checked against its file; undefined if its file is gone (STALE). A file held
   * open is checked by fstat (no path walk) while it still has a name, or with none while kept
   * (its path then ''); `byPath` asks for the path to be checked too (to change the file by its
   * path).
   */
  resolve(fileid: number, byPath = false): Resolved | undefined {
    const node = this.get(fileid);
    if (node === undefined) return undefined;
    const kept = byPath ? undefined : this.keptDescriptor(fileid);
    const unlinked = kept === undefined ? undefined : fstatSync(kept, { bigint: true });
    if (unlinked !== undefined && sameFile(node, identityOf(unlinked))) return { node, path: '', st: unlinked };
    const fd = byPath ? undefined : this.descriptorOf(fileid);
    const held = fd === undefined ? undefined : fstatSync(fd, { bigint: true });
    if (held !== undefined && held.nlink > 0n && sameFile(node, identityOf(held))) {
      return { node, path: this.pathOf(fileid) ?? '', st: held };
    }
    const path = this.pathOf(fileid);
    const st = path === undefined ? undefined : lstatOrUndefined(path);
    if (path !== undefined && st !== undefined && sameFile(node, identityOf(st))) return { node, path, st };
    if (fileid === this.root.fileid) return undefined;
    const found = locate(this, node);
    if (found === undefined) return undefined;
    this.move(node, found.parent, found.name);
    return { node, path: found.path, st: found.st };
  }

  /**
   * The node of the file `st` found as `name` in directory `parent`: the known one (its
   * place updated if it moved), or a new row. A row of a reused inode (another birth time) is
   * dropped: that file is gone.
   */
  nodeFor(st: BigIntStats, parent: number, name: string): FolderNode {
    const id = identityOf(st);
    const known = this.knownNode(id);
    if (known === undefined) {
      const node: FolderNode = {
        fileid: this.allocate(),
        generation: newGeneration(),
        ...id,
        parent,
        name,
        ...NO_OVERLAY,
      };
      this.save(node);
      return node;
    }
    if ((known.parent !== parent || known.name !== name) && known !== this.root) {
      // A file with several names keeps the one it has while that one still leads to it.
      const recorded = st.isDirectory() ? undefined : this.pathOf(known.fileid);
      const still = recorded === undefined ? undefined : lstatOrUndefined(recorded);
      if (still === undefined || !sameFile(known, identityOf(still))) this.move(known, parent, name);
    }
    return known;
  }

  /** Records a new place for the node. */
  move(node: FolderNode, parent: number, name: string): void {
    node.parent = parent;
    node.name = name;
    this.save(node);
  }

  /** Writes the node's row (after any change to it) and keeps it in memory. */
  save(node: FolderNode): void {
    this.index.put(node);
    this.cache(node);
  }

  /** The file is gone: its row goes, and its fileid is never handed out again. */
  forget(fileid: number): void {
    const node = this.byId.get(fileid);
    if (node !== undefined) {
      this.byId.delete(fileid);
      if (this.byInode.get(inodeKey(node)) === fileid) this.byInode.delete(inodeKey(node));
    }
    // With a birth time the row can never be taken for another file: its deletion need not be synced.
    this.index.delete(fileid, node === undefined || node.btime === 0n);
    this.onForget(fileid);
  }

  private knownNode(id: Identity): FolderNode | undefined {
    const cachedId = this.byInode.get(inodeKey(id));
    const cached = cachedId === undefined ? undefined : this.byId.get(cachedId);
    if (cached !== undefined && sameFile(cached, id)) return cached;
    let found: FolderNode | undefined;
    for (const row of this.index.byInode(id.dev, id.ino)) {
      if (found === undefined && sameFile(row, id)) found = this.byId.get(row.fileid) ?? row;
      else if (row.fileid !== this.root.fileid) this.forget(row.fileid);
    }
    if (found !== undefined) this.cache(found);
    return found;
  }

  private cache(node: FolderNode): void {
    this.byId.set(node.fileid, node);
    this.byInode.set(inodeKey(node), node.fileid);
    if (this.byId.size <= this.maxCached) return;
    // Drop the oldest tenth; the index still has them (the root stays).
    let drop = Math.ceil(this.maxCached / 10);
    for (const [id, n] of this.byId) {
      if (drop-- <= 0) break;
      if (id === this.root.fileid) continue;
      this.byId.delete(id);
      if (this.byInode.get(inodeKey(n)) === id) this.byInode.delete(inodeKey(n));
    }
  }
}
