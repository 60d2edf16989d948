/** XNFS 11 SM_UNMON_ALL: stops monitoring every host for the caller; answers this host's state number. */
import type { RpcProcedure } from '../../../rpc/program.ts';
import { decodeMyId, encodeState, type MyId } from '../codec.ts';
import type { StatusMonitor } from '../monitor.ts';

export function unmonAllProcedure(sm: StatusMonitor): RpcProcedure<MyId, number> {
  return {
    name: 'SM_UNMON_ALL',
    decode: decodeMyId,
    run: (_call, id) => {
      sm.unmonitorAll(id.myName);
      return Promise.resolve(sm.state);
    },
    encode: encodeState,
  };
}
