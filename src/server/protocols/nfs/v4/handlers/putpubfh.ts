/** RFC 7530 §16.21 PUTPUBFH: the public filehandle is the pseudo root here (no WebNFS). */
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';
import { putrootfh } from './putrootfh.ts';

export const putpubfh: Nfs4Op<undefined, undefined> = {
  name: 'PUTPUBFH',
  decode: noArgs,
  run: (ctx, a) => putrootfh.run(ctx, a),
  encode: noBody,
};
