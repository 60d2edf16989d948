/**
 * XNFS 11 SM_SIMU_CRASH: act as if this host had restarted. A status monitor would then
 * notify the hosts it monitors; this one never connects to a client, so there is nobody to
 * tell and nothing to do.
 */
import { decodeVoid, encodeVoid, type RpcProcedure } from '../../../rpc/program.ts';

export const simuCrashProcedure: RpcProcedure<undefined, undefined> = {
  name: 'SM_SIMU_CRASH',
  decode: decodeVoid,
  run: () => Promise.resolve(undefined),
  encode: encodeVoid,
};
