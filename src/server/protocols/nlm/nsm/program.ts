/** The NSM v1 dispatch table (XNFS 11, sm_inter.x), keyed by procedure number. */
import { nullProcedure, type RpcProgram } from '../../rpc/program.ts';
import { SM_PROG, SM_V1 } from './constants.ts';
import { monProcedure } from './handlers/mon.ts';
import { notifyProcedure } from './handlers/notify.ts';
import { simuCrashProcedure } from './handlers/simu-crash.ts';
import { statProcedure } from './handlers/stat.ts';
import { unmonAllProcedure } from './handlers/unmon-all.ts';
import { unmonProcedure } from './handlers/unmon.ts';
import type { StatusMonitor } from './monitor.ts';

export function nsmProgram(sm: StatusMonitor): RpcProgram {
  return {
    prog: SM_PROG,
    vers: SM_V1,
    procedures: [
      nullProcedure,
      statProcedure(sm),
      monProcedure(sm),
      unmonProcedure(sm),
      unmonAllProcedure(sm),
      simuCrashProcedure,
      notifyProcedure(sm),
    ],
  };
}
