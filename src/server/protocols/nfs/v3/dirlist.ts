/**
 * Directory listing for READDIR and READDIRPLUS (RFC 1813 §3.3.16, §3.3.17): pages from
 * MetadataOps.readDir, "." and ".." first (clients expect them), cut to the reply's byte
 * budget.
 *
 * Cookies: the metadata store's cookies are shifted by two so that "." (cookie 1) and
 * ".." (cookie 2) have resume points of their own; metadata cookie c is NFS cookie c + 2.
 */
import type { FileAttr, FileHandle } from '../../../metadata/types.ts';
import { DittoError } from '../../../../shared/errors.ts';
import { xdrPad } from '../../xdr/reader.ts';
import { NFS3_VERFSIZE } from './constants.ts';
import type { Nfs3Context } from './handler.ts';

const DOT_COOKIE = 1;
const DOTDOT_COOKIE = 2;
const COOKIE_SHIFT = 2;

export interface ListedEntry {
  fileid: number;
  name: string;
  cookie: number;
  /** READDIRPLUS only; may be absent for "..". */
  handle: FileHandle | undefined;
  attr: FileAttr | undefined;
}

export interface Listing {
  dirAttr: FileAttr;
  verifier: Buffer;
  entries: ListedEntry[];
  eof: boolean;
}

/** Fixed part of READDIR(PLUS)3res: status, post_op_attr, cookieverf, list end, eof. */
const REPLY_OVERHEAD = 4 + (4 + 84) + NFS3_VERFSIZE + 4 + 4;
/** Per entry: value-follows, fileid, name length, cookie (name bytes come on top). */
const ENTRY_OVERHEAD = 4 + 8 + 4 + 8;
/** Guesses for sizing the metadata page (bigger than most entries, so pages fill). */
const TYPICAL_NAME = 16;
const TYPICAL_HANDLE = 32;
const MAX_PAGE = 4096;

/**
 * Byte accounting for one reply. `maxBytes` bounds the whole result (count / maxcount);
 * `maxDirBytes` (READDIRPLUS dircount, 0 = no limit) bounds the entries without their
 * attributes and handles. The first entry is held to `maxBytes` only.
 */
export class ReplyBudget {
  private bytes = REPLY_OVERHEAD;
  private dirBytes = 0;
  private taken = 0;

  constructor(
    private readonly plus: boolean,
    private readonly maxBytes: number,
    private readonly maxDirBytes: number,
  ) {}

  /** How many entries to ask the metadata store for. */
  get pageSize(): number {
    const dirPart = ENTRY_OVERHEAD + TYPICAL_NAME;
    const full = this.plus ? dirPart + 4 + 84 + 8 + TYPICAL_HANDLE : dirPart;
    let n = Math.floor((this.maxBytes - REPLY_OVERHEAD) / full);
    if (this.maxDirBytes > 0) n = Math.min(n, Math.floor(this.maxDirBytes / dirPart));
    return Math.min(MAX_PAGE, Math.max(1, n + 1));
  }

  /** Reserves room for an entry; false (and nothing reserved) when it does not fit. */
  take(e: ListedEntry): boolean {
    const nameLen = Buffer.byteLength(e.name, 'utf8');
    const dirPart = ENTRY_OVERHEAD + nameLen + xdrPad(nameLen);
    let size = dirPart;
    if (this.plus) {
      size += e.attr ? 4 + 84 : 4;
      size += e.handle ? 8 + e.handle.length + xdrPad(e.handle.length) : 4;
    }
    if (this.bytes + size > this.maxBytes) return false;
    if (this.taken > 0 && this.maxDirBytes > 0 && this.dirBytes + dirPart > this.maxDirBytes) return false;
    this.bytes += size;
    this.dirBytes += dirPart;
    this.taken++;
    return true;
  }
}

function isZero(b: Buffer): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/** The 8-byte cookieverf3 form of a store verifier. */
function cookieVerifier(v: Buffer): Buffer {
  if (v.length === NFS3_VERFSIZE) return v;
  const out = Buffer.alloc(NFS3_VERFSIZE);
  v.copy(out, 0, 0, NFS3_VERFSIZE);
  return out;
}

/** ".." of `dir`: its parent when the store resolves it, else the directory itself (the root). */
async function parentEntry(ctx: Nfs3Context, dir: FileHandle, dirAttr: FileAttr): Promise<ListedEntry> {
  try {
    const p = await ctx.runtime.metadata.lookup(ctx.auth, dir, '..');
    return { fileid: p.attr.fileid, name: '..', cookie: DOTDOT_COOKIE, handle: p.handle, attr: p.attr };
  } catch {
    return { fileid: dirAttr.fileid, name: '..', cookie: DOTDOT_COOKIE, handle: dir, attr: dirAttr };
  }
}

/** One page of `dir` from `cookie`, within `budget`; NFS3ERR_TOOSMALL if no entry fits. */
export async function listDirectory(
  ctx: Nfs3Context,
  dir: FileHandle,
  cookie: number,
  cookieverf: Buffer,
  budget: ReplyBudget,
): Promise<Listing> {
  const fresh = cookie <= DOTDOT_COOKIE;
  // Clients that do not echo verifiers send zeros: resume without checking.
  const verifier = fresh || isZero(cookieverf) ? undefined : cookieverf;
  const dots = cookie === 0 ? 2 : cookie === DOT_COOKIE ? 1 : 0;
  const page = await ctx.runtime.metadata.readDir(
    ctx.auth,
    dir,
    fresh ? 0 : cookie - COOKIE_SHIFT,
    verifier,
    Math.max(1, budget.pageSize - dots),
  );
  const candidates: ListedEntry[] = [];
  if (dots === 2)
    candidates.push({ fileid: page.dirAttr.fileid, name: '.', cookie: DOT_COOKIE, handle: dir, attr: page.dirAttr });
  if (dots >= 1) candidates.push(await parentEntry(ctx, dir, page.dirAttr));
  for (const e of page.entries) {
    candidates.push({
      fileid: e.fileid,
      name: e.name,
      cookie: e.cookie + COOKIE_SHIFT,
      handle: e.handle,
      attr: e.attr,
    });
  }
  let n = 0;
  while (n < candidates.length && budget.take(candidates[n] as ListedEntry)) n++;
  if (n === 0 && candidates.length > 0) throw new DittoError('TOO_SMALL');
  const all = n === candidates.length;
  return {
    dirAttr: page.dirAttr,
    verifier: cookieVerifier(page.verifier),
    entries: all ? candidates : candidates.slice(0, n),
    eof: all && page.eof,
  };
}
