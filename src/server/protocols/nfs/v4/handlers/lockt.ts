/** RFC 7530 §16.11 LOCKT: whether a lock could be taken, without taking it; DENIED names the conflicting lock. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeClientId } from '../codec.ts';
import { NFS4_MAXOPAQUE } from '../constants.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import { decodeU64Range, denied, encodeDenied, lockedFileKey, lockKindOf, rangeOf } from '../locking.ts';
import { lockOwnerOf } from '../owners.ts';

export interface LocktArgs {
  locktype: number;
  offset: bigint;
  length: bigint;
  clientid: Buffer;
  owner: Buffer;
}

export const lockt: Nfs4Op<LocktArgs, undefined> = {
  name: 'LOCKT',
  decode: (r: XdrReader) => ({
    locktype: r.u32(),
    offset: decodeU64Range(r),
    length: decodeU64Range(r),
    clientid: decodeClientId(r),
    owner: Buffer.from(r.opaque(NFS4_MAXOPAQUE)),
  }),
  async run(ctx, a) {
    const fileKey = await lockedFileKey(ctx);
    const range = rangeOf(a.offset, a.length);
    const { state } = ctx.server;
    const owner = lockOwnerOf(state.client(a.clientid), a.owner);
    const kind = lockKindOf(a.locktype);
    const conflict = await ctx.server.runtime.metadata.locks.conflict(fileKey, owner.key, kind, range.start, range.end);
    if (conflict) throw denied(conflict);
    return undefined;
  },
  encode: noBody,
  encodeFailure: encodeDenied,
};
