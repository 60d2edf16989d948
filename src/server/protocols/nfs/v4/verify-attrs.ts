/** VERIFY and NVERIFY (RFC 7530 §16.35, §16.15): whether sent attributes equal the current object's, byte for byte. */
import { XdrWriter } from '../../xdr/writer.ts';
import { bitsOf, encodeBitmap, encodeFattr, isReadable, A, type RawFattr } from './attrs.ts';
import { Nfs4Status } from './constants.ts';
import { currentFh, type Nfs4Context } from './context.ts';
import { Nfs4Error } from './errors.ts';
import { describe } from './objects.ts';

export async function attrsMatch(ctx: Nfs4Context, sent: RawFattr): Promise<boolean> {
  const cur = currentFh(ctx);
  for (const bit of bitsOf(sent.bitmap)) {
    if (bit === A.RDATTR_ERROR) throw new Nfs4Error(Nfs4Status.INVAL, 'rdattr_error');
    if (!isReadable(bit)) throw new Nfs4Error(Nfs4Status.ATTRNOTSUPP, `attribute ${bit}`);
  }
  const source = await describe(ctx, cur, sent.bitmap);
  const w = new XdrWriter(4096);
  encodeFattr(w, sent.bitmap, source);
  const ours = w.finish();
  encodeBitmap(w, sent.bitmap);
  w.opaque(sent.values);
  return ours.equals(w.finish());
}
