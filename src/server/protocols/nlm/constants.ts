/** NLM v4 (Open Group XNFS, "Protocols for Interworking: XNFS", chapter 14: nlm_prot.x). */

export const NLM_PROG = 100021;
export const NLM_V4 = 4;

/** Procedure numbers of NLM v4. */
export const NlmProc = {
  NULL: 0,
  TEST: 1,
  LOCK: 2,
  CANCEL: 3,
  UNLOCK: 4,
  GRANTED: 5,
  TEST_MSG: 6,
  LOCK_MSG: 7,
  CANCEL_MSG: 8,
  UNLOCK_MSG: 9,
  GRANTED_MSG: 10,
  TEST_RES: 11,
  LOCK_RES: 12,
  CANCEL_RES: 13,
  UNLOCK_RES: 14,
  GRANTED_RES: 15,
  SHARE: 20,
  UNSHARE: 21,
  NM_LOCK: 22,
  FREE_ALL: 23,
} as const;

/** nlm4_stats. */
export const Nlm4Stat = {
  GRANTED: 0,
  DENIED: 1,
  DENIED_NOLOCKS: 2,
  BLOCKED: 3,
  DENIED_GRACE_PERIOD: 4,
  DEADLCK: 5,
  ROFS: 6,
  STALE_FH: 7,
  FBIG: 8,
  FAILED: 9,
} as const;

/** LM_MAXSTRLEN: caller names. */
export const LM_MAXSTRLEN = 1024;
/** Longest netobj accepted (cookies, file handles, owner handles): NFSv3 handles are 64 bytes. */
export const MAX_NETOBJ = 1024;
