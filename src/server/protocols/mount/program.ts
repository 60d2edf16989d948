/** The MOUNT v3 dispatch table (RFC 1813 §5.2), keyed by procedure number. */
import { nullProcedure, type RpcProgram } from '../rpc/program.ts';
import { MOUNT_PROG, MOUNT_V3 } from './constants.ts';
import type { MountDeps } from './deps.ts';
import { dumpProcedure } from './handlers/dump.ts';
import { exportProcedure } from './handlers/export.ts';
import { mntProcedure } from './handlers/mnt.ts';
import { umntProcedure } from './handlers/umnt.ts';
import { umntallProcedure } from './handlers/umntall.ts';

export function mountProgram(deps: MountDeps): RpcProgram {
  return {
    prog: MOUNT_PROG,
    vers: MOUNT_V3,
    procedures: [
      nullProcedure,
      mntProcedure(deps),
      dumpProcedure(deps),
      umntProcedure(deps),
      umntallProcedure(deps),
      exportProcedure(deps),
    ],
  };
}
