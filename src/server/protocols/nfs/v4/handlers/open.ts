/**
 * RFC 7530 §16.16 OPEN: opens (and with OPEN4_CREATE creates) a regular file in the current
 * directory for an open-owner, taking a share reservation; the file becomes current.
 * CLAIM_PREVIOUS reclaims an open of the current file during the grace period after a
 * restart (state.ts); no delegation is ever handed out (OPEN_DELEGATE_NONE, and delegation
 * claims are NOTSUPP), so the server never calls a client back.
 */
import { ACCESS, FileType, type CreateMode, type Entry, type SetAttrs } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import type { XdrWriter } from '../../../xdr/writer.ts';
import { createFile } from '../../files.ts';
import { bitmapOf, bitsOf, decodeRawFattr, encodeBitmap, parseSetAttrs, type Bitmap, type RawFattr } from '../attrs.ts';
import {
  checkComponent,
  decodeClientId,
  decodeComponent,
  decodeStateid,
  decodeVerifier,
  encodeStateid,
} from '../codec.ts';
import {
  Nfs4Status,
  NFS4_MAXOPAQUE,
  OPEN4_RESULT_CONFIRM,
  OPEN4_RESULT_LOCKTYPE_POSIX,
  SHARE_ACCESS_BOTH,
  SHARE_ACCESS_READ,
  SHARE_ACCESS_WRITE,
} from '../constants.ts';
import { fileKeyOf, shareFh, type Nfs4Context, type ShareFh } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { changeInfo, encodeChangeInfo, type ChangeInfo } from '../objects.ts';
import type { Stateid } from '../state.ts';

const CLAIM_NULL = 0;
const CLAIM_PREVIOUS = 1;
const CLAIM_DELEGATE_CUR = 2;
const OPEN4_CREATE = 1;
const EXCLUSIVE4 = 2;

export type OpenHow =
  | { create: false }
  | { create: true; mode: 'unchecked' | 'guarded'; attrs: RawFattr }
  | { create: true; mode: 'exclusive'; verifier: Buffer };

export interface OpenArgs {
  seqid: number;
  access: number;
  deny: number;
  clientid: Buffer;
  owner: Buffer;
  how: OpenHow;
  claim: number;
  name: string;
}

export interface OpenRes {
  stateid: Stateid;
  cinfo: ChangeInfo;
  rflags: number;
  attrset: Bitmap;
}

function decodeHow(r: XdrReader): OpenHow {
  if (r.u32() !== OPEN4_CREATE) return { create: false };
  const mode = r.enumBelow(3);
  if (mode === EXCLUSIVE4) return { create: true, mode: 'exclusive', verifier: decodeVerifier(r) };
  return { create: true, mode: mode === 0 ? 'unchecked' : 'guarded', attrs: decodeRawFattr(r) };
}

export function decodeOpenArgs(r: XdrReader): OpenArgs {
  const seqid = r.u32();
  const access = r.u32();
  const deny = r.u32();
  const clientid = decodeClientId(r);
  const owner = r.opaque(NFS4_MAXOPAQUE);
  const how = decodeHow(r);
  const claim = r.u32();
  let name = '';
  if (claim === CLAIM_PREVIOUS) r.u32();
  else if (claim === CLAIM_DELEGATE_CUR) {
    decodeStateid(r);
    name = decodeComponent(r);
  } else name = decodeComponent(r);
  return { seqid, access, deny, clientid, owner: Buffer.from(owner), how, claim, name };
}

async function openFile(
  ctx: Nfs4Context,
  dir: ShareFh,
  a: OpenArgs,
): Promise<{ file: Entry; cinfo: ChangeInfo; attrset: Bitmap }> {
  const md = ctx.server.runtime.metadata;
  const name = checkComponent(a.name);
  if (!a.how.create) {
    const found = await md.lookup(ctx.auth, dir.fh, name);
    if (found.attr.type === FileType.Directory) throw new Nfs4Error(Nfs4Status.ISDIR);
    if (found.attr.type === FileType.Symlink) throw new Nfs4Error(Nfs4Status.SYMLINK);
    if (found.attr.type !== FileType.Regular) throw new Nfs4Error(Nfs4Status.INVAL);
    const want = (a.access & SHARE_ACCESS_READ ? ACCESS.READ : 0) | (a.access & SHARE_ACCESS_WRITE ? ACCESS.MODIFY : 0);
    const { granted } = await md.access(ctx.auth, found.handle, want);
    if ((granted & want) !== want) throw new Nfs4Error(Nfs4Status.ACCESS);
    const unchanged = { before: found.dirAttr, after: found.dirAttr };
    return { file: found, cinfo: changeInfo(unchanged), attrset: [] };
  }
  let attrs: SetAttrs = {};
  let mode: CreateMode;
  let attrset: Bitmap = [];
  if (a.how.mode === 'exclusive') mode = { kind: 'exclusive', verifier: a.how.verifier };
  else {
    attrs = parseSetAttrs(a.how.attrs);
    attrset = bitmapOf(bitsOf(a.how.attrs.bitmap));
    mode = { kind: a.how.mode };
  }
  const made = await createFile(
    { runtime: ctx.server.runtime, share: dir.share.name },
    ctx.auth,
    dir.fh,
    name,
    attrs,
    mode,
  );
  if (made.attr.type !== FileType.Regular) throw new Nfs4Error(Nfs4Status.ISDIR);
  return { file: made, cinfo: changeInfo(made.dirWcc), attrset };
}

/** CLAIM_PREVIOUS names no file: the current filehandle is the file being reclaimed. */
async function reclaimedFile(
  ctx: Nfs4Context,
  cur: ShareFh,
): Promise<{ file: Entry; cinfo: ChangeInfo; attrset: Bitmap }> {
  const attr = await ctx.server.runtime.metadata.getAttr(ctx.auth, cur.fh);
  if (attr.type !== FileType.Regular)
    throw new Nfs4Error(attr.type === FileType.Directory ? Nfs4Status.ISDIR : Nfs4Status.INVAL);
  return { file: { handle: cur.fh, attr }, cinfo: changeInfo({ before: attr, after: attr }), attrset: [] };
}

export const open: Nfs4Op<OpenArgs, OpenRes> = {
  name: 'OPEN',
  decode: decodeOpenArgs,
  async run(ctx, a) {
    const cur = shareFh(ctx, a.how.create ? Nfs4Status.ROFS : Nfs4Status.ISDIR);
    if (a.claim !== CLAIM_NULL && a.claim !== CLAIM_PREVIOUS)
      throw new Nfs4Error(Nfs4Status.NOTSUPP, `claim ${a.claim}`);
    if (a.access === 0 || a.access > SHARE_ACCESS_BOTH || a.deny > SHARE_ACCESS_BOTH) {
      throw new Nfs4Error(Nfs4Status.INVAL, 'share access or deny');
    }
    const { state } = ctx.server;
    const client = state.client(a.clientid);
    const owner = state.openOwner(client, a.owner);
    state.advanceSeqid(owner, a.seqid);
    const reclaim = a.claim === CLAIM_PREVIOUS;
    state.checkGrace(client, reclaim);
    const { file, cinfo, attrset } = reclaim ? await reclaimedFile(ctx, cur) : await openFile(ctx, cur, a);
    const open = state.open(owner, fileKeyOf(cur, file.attr.fileid), a.access, a.deny);
    ctx.current = { kind: 'share', fh: file.handle, share: cur.share };
    const rflags = OPEN4_RESULT_LOCKTYPE_POSIX | (owner.confirmed ? 0 : OPEN4_RESULT_CONFIRM);
    return { stateid: { seqid: open.seqid, other: open.other }, cinfo, rflags, attrset };
  },
  encode(w: XdrWriter, res) {
    encodeStateid(w, res.stateid);
    encodeChangeInfo(w, res.cinfo);
    w.u32(res.rflags);
    encodeBitmap(w, res.attrset);
    w.u32(0); // OPEN_DELEGATE_NONE
  },
};
