/** XNFS 11 SM_NOTIFY: a host restarted (its statd tells us at boot): the locks it held over NLM are released. */
import type { RpcProcedure } from '../../../rpc/program.ts';
import { encodeVoid } from '../../../rpc/program.ts';
import { decodeStatChange, type StatChange } from '../codec.ts';
import type { StatusMonitor } from '../monitor.ts';

export function notifyProcedure(sm: StatusMonitor): RpcProcedure<StatChange, undefined> {
  return {
    name: 'SM_NOTIFY',
    decode: decodeStatChange,
    run: (call, change) => {
      sm.onRestart(change.monName, call.session.clientAddr);
      return Promise.resolve(undefined);
    },
    encode: encodeVoid,
  };
}
