/** XNFS 11 SM_MON: starts monitoring a host for the caller; stat_succ and this host's state number. */
import type { RpcProcedure } from '../../../rpc/program.ts';
import { decodeMon, encodeStatRes, type MonId } from '../codec.ts';
import { SmRes } from '../constants.ts';
import type { StatusMonitor } from '../monitor.ts';

export function monProcedure(sm: StatusMonitor): RpcProcedure<MonId, { stat: number; state: number }> {
  return {
    name: 'SM_MON',
    decode: decodeMon,
    run: (_call, id) => {
      sm.monitor(id);
      return Promise.resolve({ stat: SmRes.SUCC, state: sm.state });
    },
    encode: encodeStatRes,
  };
}
