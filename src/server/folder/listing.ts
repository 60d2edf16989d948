/**
 * READDIR of a folder share: the real directory, listed in fileid order. An entry's cookie
 * is its fileid (times COOKIE_SCALE, plus the rank of the name among the names of the same
 * file in the directory: hard links). Fileids only grow and are never reused, so resuming
 * after any cookie, even a removed entry's, lists each remaining entry once, and new files
 * come last.
 *
 * Mapping names to fileids takes an lstat and an index lookup per entry, so the mapping of
 * a directory is kept while its mtime and ctime stay the same (a bounded number of
 * directories). A directory changed within the last RACY_MS may change again within the
 * same clock tick without a new mtime, so until then each call reads the names again (no
 * lstat) and keeps the mapping only if they are the same.
 *
 * An entry's attributes are served again for ATTR_TTL_MS without an lstat (as ganesha's
 * attribute cache does, for a minute by default), unless dfs changed the file since
 * (`touched`: writes, SETATTR, anything a transaction did). So what another program changes
 * in a file shows in listings within a second; LOOKUP and GETATTR always lstat.
 */
import { readdirSync, type BigIntStats } from 'node:fs';
import type { FileRecord, StoredEntry } from '../metadata/store.ts';
import { fsError } from './errors.ts';
import type { FolderNode } from './folder-index.ts';
import type { NodeTable, Resolved } from './nodes.ts';
import { identityOf, lstatOrUndefined, sameFile } from './stat.ts';

/** Cookies leave room for this many names of one file in one directory. */
export const COOKIE_SCALE = 1024;
/** Longer than a kernel clock tick (10 ms at HZ=100), within which a change may not move mtime. */
const RACY_MS = 20n;
const MAX_LISTINGS = 64;
const ATTR_TTL_MS = 1000;
/** Change times kept past this many files are pruned of those older than ATTR_TTL_MS. */
const MAX_TOUCHED = 4096;

interface Listing {
  mtime: bigint;
  ctime: bigint;
  trusted: boolean;
  names: string[];
  /** The names as a set, made when first needed (to recheck a racy mapping). */
  nameSet: Set<string> | undefined;
  fileids: number[];
  cookies: number[];
  /** The record last served for each entry, and when it was built (ms). */
  records: Array<FileRecord | undefined>;
  stamps: number[];
}

type Build = (node: FolderNode, st: BigIntStats, path: string) => FileRecord;

export class Listings {
  private readonly cache = new Map<number, Listing>();
  /** When dfs last changed each file (ms), for as long as a cached record could be older. */
  private readonly changes = new Map<number, number>();

  constructor(private readonly nodes: NodeTable) {}

  /** Up to `limit` entries of the directory with a cookie above `afterCookie`, in cookie order. */
  list(dir: Resolved, afterCookie: number, limit: number, build: Build): StoredEntry[] {
    const dirId = dir.node.fileid;
    let listing = this.cache.get(dirId);
    const same = listing !== undefined && listing.mtime === dir.st.mtimeNs && listing.ctime === dir.st.ctimeNs;
    if (listing === undefined || !same || (!listing.trusted && !this.recheck(dir, listing))) {
      listing = this.build(dir, build);
    }
    const out: StoredEntry[] = [];
    const now = Date.now();
    for (let i = firstAfter(listing.cookies, afterCookie); i < listing.cookies.length && out.length < limit; i++) {
      const name = listing.names[i]!;
      const cached = listing.records[i];
      const stamp = listing.stamps[i]!;
      if (
        cached !== undefined &&
        now - stamp < ATTR_TTL_MS &&
        !((this.changes.get(cached.attr.fileid) ?? -1) >= stamp)
      ) {
        out.push({ name, cookie: listing.cookies[i]!, file: cached });
        continue;
      }
      const path = `${dir.path}/${name}`;
      const st = lstatOrUndefined(path);
      if (st === undefined) continue;
      let node = this.nodes.get(listing.fileids[i]!);
      if (node === undefined || !sameFile(node, identityOf(st))) {
        // Replaced since the mapping was made: serve the new file, map again next time.
        node = this.nodes.nodeFor(st, dirId, name);
        listing.trusted = false;
      }
      const file = build(node, st, path);
      listing.records[i] = file;
      listing.stamps[i] = now;
      out.push({ name, cookie: listing.cookies[i]!, file });
    }
    return out;
  }

  /** Forgets a directory's mapping (its entries changed). */
  drop(dirId: number): void {
    this.cache.delete(dirId);
  }

  /** dfs changed the file: records of it built before now are not served again. */
  touched(fileid: number): void {
    const now = Date.now();
    this.changes.set(fileid, now);
    if (this.changes.size <= MAX_TOUCHED) return;
    for (const [id, t] of this.changes) if (now - t >= ATTR_TTL_MS) this.changes.delete(id);
  }

  /** A racy mapping still holds if the directory has the same names; trusted once out of the window. */
  private recheck(dir: Resolved, listing: Listing): boolean {
    const names = namesOf(dir.path);
    if (names.length !== listing.names.length) return false;
    const known = (listing.nameSet ??= new Set(listing.names));
    if (!names.every((n) => known.has(n))) return false;
    listing.trusted = settled(dir.st);
    return true;
  }

  /** Maps every name to its fileid; the lstat that takes also makes the entry's record. */
  private build(dir: Resolved, build: Build): Listing {
    const names = namesOf(dir.path);
    const now = Date.now();
    const rows: Array<{ fileid: number; name: string; file: FileRecord }> = [];
    for (const name of names) {
      const path = `${dir.path}/${name}`;
      const st = lstatOrUndefined(path);
      if (st === undefined) continue;
      const node = this.nodes.nodeFor(st, dir.node.fileid, name);
      rows.push({ fileid: node.fileid, name, file: build(node, st, path) });
    }
    rows.sort((a, b) => a.fileid - b.fileid || (a.name < b.name ? -1 : 1));
    const listing: Listing = {
      mtime: dir.st.mtimeNs,
      ctime: dir.st.ctimeNs,
      trusted: settled(dir.st),
      names: new Array<string>(rows.length),
      nameSet: undefined,
      fileids: new Array<number>(rows.length),
      cookies: new Array<number>(rows.length),
      records: rows.map((r) => r.file),
      stamps: new Array<number>(rows.length).fill(now),
    };
    let rank = 0;
    rows.forEach((r, i) => {
      rank = i > 0 && rows[i - 1]!.fileid === r.fileid ? rank + 1 : 0;
      listing.names[i] = r.name;
      listing.fileids[i] = r.fileid;
      listing.cookies[i] = r.fileid * COOKIE_SCALE + Math.min(rank, COOKIE_SCALE - 1);
    });
    this.cache.delete(dir.node.fileid);
    this.cache.set(dir.node.fileid, listing);
    if (this.cache.size > MAX_LISTINGS) this.cache.delete(this.cache.keys().next().value!);
    return listing;
  }
}

function namesOf(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (err) {
    throw fsError(err, path);
  }
}

/** The directory's last change is older than a clock tick could hide another one in. */
function settled(st: BigIntStats): boolean {
  const last = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  return BigInt(Date.now()) * 1_000_000n - last > RACY_MS * 1_000_000n;
}

/** Index of the first cookie above `after` (cookies ascending). */
function firstAfter(cookies: number[], after: number): number {
  let lo = 0;
  let hi = cookies.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cookies[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
