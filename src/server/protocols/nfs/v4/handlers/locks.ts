/**
 * RFC 7530 §16.10-16.12 LOCK, LOCKT, LOCKU: byte-range locks wait for the shared lock
 * manager (issue 15 item 5); until then NOTSUPP, which Linux turns into ENOLCK for fcntl.
 * One file for the three, as they share their only behaviour.
 */
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';

const unsupported = (name: string): Nfs4Op<undefined, undefined> => ({
  name,
  decode: noArgs,
  run: () => Promise.reject(new Nfs4Error(Nfs4Status.NOTSUPP)),
  encode: noBody,
});

export const lock = unsupported('LOCK');
export const lockt = unsupported('LOCKT');
export const locku = unsupported('LOCKU');
