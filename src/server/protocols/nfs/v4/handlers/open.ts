/**
 * RFC 7530 §16.16 OPEN: opens (and with OPEN4_CREATE creates) a regular file in the current
 * directory for an open-owner, taking a share reservation; the file becomes current.
 * CLAIM_PREVIOUS reclaims an open of the current file during the grace period after a
 * restart (state.ts); no delegation is ever handed out (OPEN_DELEGATE_NONE, and delegation
 * claims are NOTSUPP), so the server never calls a client back. NFSv4.1 (RFC 8881 §18.16)
 * adds CLAIM_FH (open the current file) and EXCLUSIVE4_1, takes the client from the
 * session, ignores the delegation "want" bits of share_access and never asks for
 * OPEN_CONFIRM.
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
import type { Stateid } from '../state-types.ts';
import { advanceSeqid, openOwnerOf } from '../owners.ts';

const CLAIM_NULL = 0;
const CLAIM_PREVIOUS = 1;
const CLAIM_DELEGATE_CUR = 2;
const CLAIM_FH = 4;
const CLAIM_DELEG_CUR_FH = 5;
const OPEN4_CREATE = 1;
const EXCLUSIVE4 = 2;
const EXCLUSIVE4_1 = 3;
/** OPEN4_SHARE_ACCESS_WANT_* bits of NFSv4.1 (RFC 8881 §18.16.3): the access itself is the low byte. */
const SHARE_ACCESS_MASK = 0xff;

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
  const mode = r.enumBelow(4);
  if (mode === EXCLUSIVE4) return { create: true, mode: 'exclusive', verifier: decodeVerifier(r) };
  if (mode === EXCLUSIVE4_1) {
    const verifier = decodeVerifier(r);
    decodeRawFattr(r); // cva_attrs: not applied (none reported in attrset), the client sets them after
    return { create: true, mode: 'exclusive', verifier };
  }
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
  } else if (claim === CLAIM_DELEG_CUR_FH) decodeStateid(r);
  else if (claim !== CLAIM_FH && claim !== 6) name = decodeComponent(r); // 6: CLAIM_DELEG_PREV_FH, void
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
    const want = wantedAccess(a.access);
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

function wantedAccess(shareAccess: number): number {
  return (shareAccess & SHARE_ACCESS_READ ? ACCESS.READ : 0) | (shareAccess & SHARE_ACCESS_WRITE ? ACCESS.MODIFY : 0);
}

/** CLAIM_PREVIOUS and CLAIM_FH name no file: the current filehandle is the file. */
async function currentFile(
  ctx: Nfs4Context,
  cur: ShareFh,
  access: number,
): Promise<{ file: Entry; cinfo: ChangeInfo; attrset: Bitmap }> {
  const md = ctx.server.runtime.metadata;
  const attr = await md.getAttr(ctx.auth, cur.fh);
  if (attr.type !== FileType.Regular)
    throw new Nfs4Error(attr.type === FileType.Directory ? Nfs4Status.ISDIR : Nfs4Status.INVAL);
  const want = wantedAccess(access);
  const { granted } = await md.access(ctx.auth, cur.fh, want);
  if ((granted & want) !== want) throw new Nfs4Error(Nfs4Status.ACCESS);
  return { file: { handle: cur.fh, attr }, cinfo: changeInfo({ before: attr, after: attr }), attrset: [] };
}

export const open: Nfs4Op<OpenArgs, OpenRes> = {
  name: 'OPEN',
  decode: decodeOpenArgs,
  async run(ctx, a) {
    const cur = shareFh(ctx, a.how.create ? Nfs4Status.ROFS : Nfs4Status.ISDIR);
    const v41 = ctx.minorVersion > 0;
    const byFh = v41 && a.claim === CLAIM_FH;
    if (a.claim !== CLAIM_NULL && a.claim !== CLAIM_PREVIOUS && !byFh)
      throw new Nfs4Error(Nfs4Status.NOTSUPP, `claim ${a.claim}`);
    const access = v41 ? a.access & SHARE_ACCESS_MASK : a.access;
    if (access === 0 || access > SHARE_ACCESS_BOTH || a.deny > SHARE_ACCESS_BOTH) {
      throw new Nfs4Error(Nfs4Status.INVAL, 'share access or deny');
    }
    const { state } = ctx.server;
    const client = ctx.slot?.session.client ?? state.client(a.clientid);
    const owner = openOwnerOf(client, a.owner);
    advanceSeqid(owner, a.seqid);
    if (v41) owner.confirmed = true;
    const reclaim = a.claim === CLAIM_PREVIOUS;
    state.checkGrace(client, reclaim);
    const { file, cinfo, attrset } =
      reclaim || byFh ? await currentFile(ctx, cur, access) : await openFile(ctx, cur, { ...a, access });
    const open = state.open(owner, fileKeyOf(cur, file.attr.fileid), file.handle, access, a.deny);
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
