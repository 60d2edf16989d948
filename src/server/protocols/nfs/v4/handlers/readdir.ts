/**
 * RFC 7530 §16.24 READDIR: entries with the requested attributes, within maxcount bytes.
 * Cookies 1 and 2 are reserved ("." and "..", which v4 never lists), so the metadata
 * store's cookie c is READDIR cookie c + 2. The pseudo filesystem lists the shares this
 * client may mount, each with its root's attributes.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { XdrWriter } from '../../../xdr/writer.ts';
import { decodeBitmap, encodeFattr, needsFsStat, type AttrSource, type Bitmap } from '../attrs.ts';
import { decodeVerifier } from '../codec.ts';
import { Nfs4Status, NFS4_VERIFIER_SIZE } from '../constants.ts';
import { currentFh, type CurrentFh, type Nfs4Context, type ShareFh } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { attrSource, describe } from '../objects.ts';
import { pseudoChildren, pseudoHandle, visibleShares } from '../pseudo.ts';

export interface ReaddirArgs {
  cookie: number;
  verifier: Buffer;
  dircount: number;
  maxcount: number;
  requested: Bitmap;
}

export interface ReaddirRes {
  verifier: Buffer;
  /** Each entry already encoded (value-follows, cookie, name, fattr4). */
  entries: Buffer[];
  eof: boolean;
}

const COOKIE_SHIFT = 2;
/** Status, verifier, list end and eof around the entries, plus the op header. */
const REPLY_OVERHEAD = 8 + NFS4_VERIFIER_SIZE + 8;
const MAX_PAGE = 1024;
const ZERO_VERIFIER = Buffer.alloc(NFS4_VERIFIER_SIZE);

interface Candidate {
  name: string;
  cookie: number;
  source: () => Promise<AttrSource>;
}

/** Encodes candidates until maxcount is reached; TOOSMALL when not even one fits. */
async function fill(candidates: Candidate[], a: ReaddirArgs): Promise<{ entries: Buffer[]; all: boolean }> {
  const w = new XdrWriter(16 * 1024);
  const entries: Buffer[] = [];
  let bytes = REPLY_OVERHEAD;
  for (const c of candidates) {
    w.bool(true).u64(c.cookie).string(c.name);
    encodeFattr(w, a.requested, await c.source());
    const e = Buffer.from(w.finish());
    if (bytes + e.length > a.maxcount) {
      if (entries.length === 0) throw new Nfs4Error(Nfs4Status.TOOSMALL);
      return { entries, all: false };
    }
    bytes += e.length;
    entries.push(e);
  }
  return { entries, all: true };
}

async function listPseudo(ctx: Nfs4Context, path: string, a: ReaddirArgs): Promise<ReaddirRes> {
  const visible = visibleShares(ctx.server.runtime.shares, ctx.call.session.clientAddr, ctx.auth);
  const md = ctx.server.runtime.metadata;
  const children = pseudoChildren(path, visible);
  const candidates: Candidate[] = [];
  children.forEach((child, i) => {
    const cookie = i + 1 + COOKIE_SHIFT;
    if (cookie <= a.cookie) return;
    const share = child.share;
    const obj: CurrentFh = share
      ? { kind: 'share', fh: Buffer.alloc(0), share }
      : { kind: 'pseudo', fh: pseudoHandle(child.path), path: child.path };
    candidates.push({
      name: child.name,
      cookie,
      source: async () => {
        if (obj.kind === 'pseudo') return describe(ctx, obj, a.requested);
        const root: ShareFh = { kind: 'share', fh: await md.rootHandle(obj.share.name), share: obj.share };
        return describe(ctx, root, a.requested);
      },
    });
  });
  const { entries, all } = await fill(candidates, a);
  return { verifier: ZERO_VERIFIER, entries, eof: all };
}

async function listShareDir(ctx: Nfs4Context, dir: ShareFh, a: ReaddirArgs): Promise<ReaddirRes> {
  const md = ctx.server.runtime.metadata;
  const fromStart = a.cookie === 0;
  const pageSize = Math.min(MAX_PAGE, Math.max(1, Math.floor(a.maxcount / 32)));
  const page = await md.readDir(
    ctx.auth,
    dir.fh,
    fromStart ? 0 : a.cookie - COOKIE_SHIFT,
    fromStart ? undefined : a.verifier,
    pageSize,
  );
  const fsStat = needsFsStat(a.requested) ? await md.fsStat(ctx.auth, dir.fh) : undefined;
  const candidates = page.entries.map((e) => ({
    name: e.name,
    cookie: e.cookie + COOKIE_SHIFT,
    source: async () => ({
      ...(await attrSource(ctx, { kind: 'share', fh: e.handle, share: dir.share }, e.attr, [])),
      fsStat,
    }),
  }));
  const { entries, all } = await fill(candidates, a);
  return { verifier: page.verifier, entries, eof: all && page.eof };
}

export const readdir: Nfs4Op<ReaddirArgs, ReaddirRes> = {
  name: 'READDIR',
  decode: (r: XdrReader) => ({
    cookie: r.u64(),
    verifier: decodeVerifier(r),
    dircount: r.u32(),
    maxcount: r.u32(),
    requested: decodeBitmap(r),
  }),
  async run(ctx, a) {
    if (a.cookie === 1 || a.cookie === 2) throw new Nfs4Error(Nfs4Status.BAD_COOKIE);
    const cur = currentFh(ctx);
    if (cur.kind === 'pseudo') return listPseudo(ctx, cur.path, a);
    ctx.share = cur.share.name;
    return listShareDir(ctx, cur, a);
  },
  encode(w, res) {
    w.opaqueFixed(res.verifier);
    for (const e of res.entries) w.opaqueFixed(e);
    w.bool(false).bool(res.eof);
  },
};
