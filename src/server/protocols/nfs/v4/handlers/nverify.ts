/** RFC 7530 §16.15 NVERIFY: SAME when the sent attributes equal the current object's. */
import { decodeRawFattr, type RawFattr } from '../attrs.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import { attrsMatch } from '../verify-attrs.ts';

export const nverify: Nfs4Op<RawFattr, undefined> = {
  name: 'NVERIFY',
  decode: decodeRawFattr,
  async run(ctx, sent) {
    if (await attrsMatch(ctx, sent)) throw new Nfs4Error(Nfs4Status.SAME);
    return undefined;
  },
  encode: noBody,
};
