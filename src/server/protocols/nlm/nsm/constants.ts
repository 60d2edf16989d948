/** NSM, the network status monitor (Open Group XNFS chapter 11, sm_inter.x). */

export const SM_PROG = 100024;
export const SM_V1 = 1;

export const SmProc = { NULL: 0, STAT: 1, MON: 2, UNMON: 3, UNMON_ALL: 4, SIMU_CRASH: 5, NOTIFY: 6 } as const;

/** res: stat_succ / stat_fail. */
export const SmRes = { SUCC: 0, FAIL: 1 } as const;

export const SM_MAXSTRLEN = 1024;
