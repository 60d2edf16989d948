/** The NLM v4 dispatch table (XNFS 14, nlm_prot.x), keyed by procedure number. */
import { nullProcedure, type RpcProcedure, type RpcProgram } from '../rpc/program.ts';
import { NLM_PROG, NLM_V4, NlmProc } from './constants.ts';
import { nlmProcedure } from './handler.ts';
import { cancel } from './handlers/cancel.ts';
import { freeAllProcedure } from './handlers/free-all.ts';
import { granted } from './handlers/granted.ts';
import { lock } from './handlers/lock.ts';
import { messageProcedure } from './handlers/messages.ts';
import { nmLock } from './handlers/nm-lock.ts';
import { resultProcedure } from './handlers/results.ts';
import { share } from './handlers/share.ts';
import { test } from './handlers/test.ts';
import { unlock } from './handlers/unlock.ts';
import { unshare } from './handlers/unshare.ts';
import type { NlmState } from './state.ts';

export function nlmProgram(nlm: NlmState): RpcProgram {
  const p: (RpcProcedure | undefined)[] = [];
  p[NlmProc.NULL] = nullProcedure;
  p[NlmProc.TEST] = nlmProcedure(test, nlm);
  p[NlmProc.LOCK] = nlmProcedure(lock, nlm);
  p[NlmProc.CANCEL] = nlmProcedure(cancel, nlm);
  p[NlmProc.UNLOCK] = nlmProcedure(unlock, nlm);
  p[NlmProc.GRANTED] = nlmProcedure(granted, nlm);
  p[NlmProc.TEST_MSG] = messageProcedure(test, NlmProc.TEST_RES, nlm);
  p[NlmProc.LOCK_MSG] = messageProcedure(lock, NlmProc.LOCK_RES, nlm);
  p[NlmProc.CANCEL_MSG] = messageProcedure(cancel, NlmProc.CANCEL_RES, nlm);
  p[NlmProc.UNLOCK_MSG] = messageProcedure(unlock, NlmProc.UNLOCK_RES, nlm);
  p[NlmProc.GRANTED_MSG] = messageProcedure(granted, NlmProc.GRANTED_RES, nlm);
  p[NlmProc.TEST_RES] = resultProcedure('TEST_RES');
  p[NlmProc.LOCK_RES] = resultProcedure('LOCK_RES');
  p[NlmProc.CANCEL_RES] = resultProcedure('CANCEL_RES');
  p[NlmProc.UNLOCK_RES] = resultProcedure('UNLOCK_RES');
  p[NlmProc.GRANTED_RES] = resultProcedure('GRANTED_RES');
  p[NlmProc.SHARE] = nlmProcedure(share, nlm);
  p[NlmProc.UNSHARE] = nlmProcedure(unshare, nlm);
  p[NlmProc.NM_LOCK] = nlmProcedure(nmLock, nlm);
  p[NlmProc.FREE_ALL] = freeAllProcedure(nlm);
  return { prog: NLM_PROG, vers: NLM_V4, procedures: p };
}
