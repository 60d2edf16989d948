/** RFC 7530 §16.11 LOOKUPP: the parent directory becomes current; above a share root lies the pseudo filesystem. */
import { Nfs4Status } from '../constants.ts';
import { currentFh } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';
import { parentPath, pseudoHandle, sharePath } from '../pseudo.ts';

export const lookupp: Nfs4Op<undefined, undefined> = {
  name: 'LOOKUPP',
  decode: noArgs,
  async run(ctx) {
    const cur = currentFh(ctx);
    const md = ctx.server.runtime.metadata;
    if (cur.kind === 'pseudo') {
      if (cur.path === '') throw new Nfs4Error(Nfs4Status.NOENT, 'the root has no parent');
      const path = parentPath(cur.path);
      ctx.current = { kind: 'pseudo', fh: pseudoHandle(path), path };
    } else if (cur.fh.equals(await md.rootHandle(cur.share.name))) {
      const path = parentPath(sharePath(cur.share));
      ctx.current = { kind: 'pseudo', fh: pseudoHandle(path), path };
    } else {
      const parent = await md.lookup(ctx.auth, cur.fh, '..');
      ctx.current = { kind: 'share', fh: parent.handle, share: cur.share };
    }
    return undefined;
  },
  encode: noBody,
};
