/** Failures of NFSv4 operations: a thrown Nfs4Error carries its nfsstat4; DittoErrors map through the registry. */
import { isDittoError, nfs3StatusOf } from '../../../../shared/errors.ts';
import { Nfs4Status } from './constants.ts';

export class Nfs4Error extends Error {
  constructor(
    readonly status: number,
    message?: string,
    /** The failure body some results carry (LOCK4denied), for the operation's encodeFailure. */
    readonly detail?: unknown,
  ) {
    super(message ?? `nfsstat4 ${status}`);
  }
}

/** NFS3ERR_NOT_SYNC (10002) has no NFSv4 meaning; every other nfsstat3 has the same number in nfsstat4. */
const NFS3_NOT_SYNC = 10002;

export function nfs4StatusOf(err: unknown): number {
  if (err instanceof Nfs4Error) return err.status;
  if (!isDittoError(err)) return Nfs4Status.SERVERFAULT;
  const s = nfs3StatusOf(err);
  return s === NFS3_NOT_SYNC ? Nfs4Status.INVAL : s;
}
