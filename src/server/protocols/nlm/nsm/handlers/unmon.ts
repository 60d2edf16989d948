/** XNFS 11 SM_UNMON: stops monitoring one host for the caller; answers this host's state number. */
import type { RpcProcedure } from '../../../rpc/program.ts';
import { decodeMonId, encodeState, type MonId } from '../codec.ts';
import type { StatusMonitor } from '../monitor.ts';

export function unmonProcedure(sm: StatusMonitor): RpcProcedure<MonId, number> {
  return {
    name: 'SM_UNMON',
    decode: decodeMonId,
    run: (_call, id) => {
      sm.unmonitor(id);
      return Promise.resolve(sm.state);
    },
    encode: encodeState,
  };
}
