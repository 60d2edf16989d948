/** RFC 7530 §16.22 PUTROOTFH: the root of the pseudo filesystem becomes current. */
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';
import { pseudoHandle } from '../pseudo.ts';

export const putrootfh: Nfs4Op<undefined, undefined> = {
  name: 'PUTROOTFH',
  decode: noArgs,
  run(ctx) {
    ctx.current = { kind: 'pseudo', fh: pseudoHandle(''), path: '' };
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
