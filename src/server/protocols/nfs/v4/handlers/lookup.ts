/**
 * RFC 7530 §16.10 LOOKUP: the named object in the current directory becomes current. In the
 * pseudo filesystem the names are the shares this client may mount (and directories on the
 * way to them); looking up a share root crosses into the share and records the mount.
 */
import { checkComponent, decodeComponent } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { currentFh, type CurrentFh, type Nfs4Context } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { pseudoChildren, pseudoHandle, visibleShares } from '../pseudo.ts';

async function lookupPseudo(ctx: Nfs4Context, path: string, name: string): Promise<CurrentFh> {
  const { runtime } = ctx.server;
  const clientAddr = ctx.call.session.clientAddr;
  const child = pseudoChildren(path, visibleShares(runtime.shares, clientAddr, ctx.auth)).find((c) => c.name === name);
  if (!child) throw new Nfs4Error(Nfs4Status.NOENT, name);
  if (!child.share) return { kind: 'pseudo', fh: pseudoHandle(child.path), path: child.path };
  const share = child.share;
  ctx.share = share.name;
  ctx.call.session.shares.add(share.name);
  const version = `4.${ctx.minorVersion}`;
  runtime.mounts.add({ protocol: 'nfs4', clientAddr, share: share.name, user: String(ctx.auth.uid), version });
  return { kind: 'share', fh: await runtime.metadata.rootHandle(share.name), share };
}

export const lookup: Nfs4Op<string, undefined> = {
  name: 'LOOKUP',
  decode: decodeComponent,
  async run(ctx, rawName) {
    const cur = currentFh(ctx);
    const name = checkComponent(rawName);
    if (cur.kind === 'pseudo') {
      ctx.current = await lookupPseudo(ctx, cur.path, name);
      return undefined;
    }
    ctx.share = cur.share.name;
    const found = await ctx.server.runtime.metadata.lookup(ctx.auth, cur.fh, name);
    ctx.current = { kind: 'share', fh: found.handle, share: cur.share };
    return undefined;
  },
  encode: () => undefined,
};
