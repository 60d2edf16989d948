/** RFC 7530 §16.35 VERIFY: NOT_SAME unless the sent attributes equal the current object's. */
import { decodeRawFattr, type RawFattr } from '../attrs.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import { attrsMatch } from '../verify-attrs.ts';

export const verify: Nfs4Op<RawFattr, undefined> = {
  name: 'VERIFY',
  decode: decodeRawFattr,
  async run(ctx, sent) {
    if (!(await attrsMatch(ctx, sent))) throw new Nfs4Error(Nfs4Status.NOT_SAME);
    return undefined;
  },
  encode: noBody,
};
