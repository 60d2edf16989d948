/** Attributes and change info of the objects NFSv4 operations return, pseudo or share. */
import type { FileAttr, Wcc } from '../../../metadata/types.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { LIMITS } from '../v3/constants.ts';
import { needsFsStat, type AttrSource, type Bitmap } from './attrs.ts';
import type { CurrentFh, Nfs4Context } from './context.ts';
import { PSEUDO_FSID, pseudoAttr, pseudoFileid, sharePath } from './pseudo.ts';

export async function attrOf(ctx: Nfs4Context, obj: CurrentFh): Promise<FileAttr> {
  if (obj.kind === 'pseudo') return pseudoAttr(obj.path, ctx.server.bootSec);
  return ctx.server.runtime.metadata.getAttr(ctx.auth, obj.fh);
}

/** Everything `encodeFattr` needs for `requested` of an object whose attributes are known. */
export async function attrSource(
  ctx: Nfs4Context,
  obj: CurrentFh,
  attr: FileAttr,
  requested: Bitmap,
): Promise<AttrSource> {
  const { server } = ctx;
  const base = { attr, fh: obj.fh, leaseSeconds: server.leaseSeconds, maxIo: LIMITS.rtmax };
  if (obj.kind === 'pseudo') return { ...base, fsid: PSEUDO_FSID };
  const md = server.runtime.metadata;
  const fsStat = needsFsStat(requested) ? await md.fsStat(ctx.auth, obj.fh) : undefined;
  // A share root sits on a pseudo directory: clients list it by that directory's fileid.
  const isRoot = obj.fh.equals(await md.rootHandle(obj.share.name));
  const mountedOnFileid = isRoot ? pseudoFileid(sharePath(obj.share)) : undefined;
  return { ...base, fsid: obj.share.id, fsStat, mountedOnFileid };
}

/** An object's attributes for `requested`, ready to encode. */
export async function describe(ctx: Nfs4Context, obj: CurrentFh, requested: Bitmap): Promise<AttrSource> {
  return attrSource(ctx, obj, await attrOf(ctx, obj), requested);
}

/** change_info4 (RFC 7530 §3.3.14) from a directory's wcc data: ctime stands in for change. */
export interface ChangeInfo {
  before: number[];
  after: number[];
}

export function changeInfo(wcc: Wcc): ChangeInfo {
  const b = wcc.before?.ctime ?? { sec: 0, nsec: 0 };
  const a = wcc.after?.ctime ?? b;
  return { before: [b.sec, b.nsec], after: [a.sec, a.nsec] };
}

export function encodeChangeInfo(w: XdrWriter, c: ChangeInfo): void {
  w.bool(false);
  for (const v of [...c.before, ...c.after]) w.u32(v);
}
