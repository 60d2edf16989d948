/**
 * RFC 7530 §16.4 CREATE: a directory, symlink, device, socket or fifo (regular files come
 * from OPEN) in the current directory, which then becomes the new object.
 */
import { FileType, type Entry, type Wcc } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { bitmapOf, bitsOf, decodeRawFattr, encodeBitmap, parseSetAttrs, type Bitmap, type RawFattr } from '../attrs.ts';
import { checkComponent, decodeComponent } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { shareFh } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { changeInfo, encodeChangeInfo, type ChangeInfo } from '../objects.ts';

export interface CreateArgs {
  type: number;
  linkdata: string;
  rdev: { major: number; minor: number };
  name: string;
  attrs: RawFattr;
}

const MAX_LINK = 4096;

export function decodeCreateArgs(r: XdrReader): CreateArgs {
  const type = r.u32();
  let linkdata = '';
  let rdev = { major: 0, minor: 0 };
  if (type === FileType.Symlink) linkdata = r.string(MAX_LINK);
  if (type === FileType.BlockDevice || type === FileType.CharDevice) rdev = { major: r.u32(), minor: r.u32() };
  return { type, linkdata, rdev, name: decodeComponent(r), attrs: decodeRawFattr(r) };
}

export const create: Nfs4Op<CreateArgs, { cinfo: ChangeInfo; attrset: Bitmap }> = {
  name: 'CREATE',
  decode: decodeCreateArgs,
  async run(ctx, a) {
    const dir = shareFh(ctx, Nfs4Status.ROFS);
    const name = checkComponent(a.name);
    const attrs = parseSetAttrs(a.attrs);
    const md = ctx.server.runtime.metadata;
    let made: Entry & { dirWcc: Wcc };
    switch (a.type) {
      case FileType.Directory:
        made = await md.mkdir(ctx.auth, dir.fh, name, attrs);
        break;
      case FileType.Symlink:
        made = await md.symlink(ctx.auth, dir.fh, name, a.linkdata, attrs);
        break;
      case FileType.BlockDevice:
      case FileType.CharDevice:
      case FileType.Socket:
      case FileType.Fifo:
        made = await md.mknod(ctx.auth, dir.fh, name, a.type, attrs, a.rdev);
        break;
      default:
        throw new Nfs4Error(Nfs4Status.BADTYPE, `type ${a.type}`);
    }
    ctx.current = { kind: 'share', fh: made.handle, share: dir.share };
    return { cinfo: changeInfo(made.dirWcc), attrset: bitmapOf(bitsOf(a.attrs.bitmap)) };
  },
  encode(w, res) {
    encodeChangeInfo(w, res.cinfo);
    encodeBitmap(w, res.attrset);
    return undefined;
  },
};
