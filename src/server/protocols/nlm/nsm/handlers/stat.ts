/** XNFS 11 SM_STAT: this host's state number (stat_succ: any host may be monitored). */
import type { RpcProcedure } from '../../../rpc/program.ts';
import { decodeName, encodeStatRes } from '../codec.ts';
import { SmRes } from '../constants.ts';
import type { StatusMonitor } from '../monitor.ts';

export function statProcedure(sm: StatusMonitor): RpcProcedure<string, { stat: number; state: number }> {
  return {
    name: 'SM_STAT',
    decode: decodeName,
    run: () => Promise.resolve({ stat: SmRes.SUCC, state: sm.state }),
    encode: encodeStatRes,
  };
}
