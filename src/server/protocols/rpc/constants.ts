/** ONC RPC v2 protocol numbers (RFC 5531 §9 and appendix A). */

export const RPC_VERSION = 2;

export const MsgType = { CALL: 0, REPLY: 1 } as const;

export const ReplyStat = { MSG_ACCEPTED: 0, MSG_DENIED: 1 } as const;

export const AcceptStat = {
  SUCCESS: 0,
  PROG_UNAVAIL: 1,
  PROG_MISMATCH: 2,
  PROC_UNAVAIL: 3,
  GARBAGE_ARGS: 4,
  SYSTEM_ERR: 5,
} as const;

export const RejectStat = { RPC_MISMATCH: 0, AUTH_ERROR: 1 } as const;

export const AuthStat = {
  AUTH_OK: 0,
  AUTH_BADCRED: 1,
  AUTH_REJECTEDCRED: 2,
  AUTH_BADVERF: 3,
  AUTH_REJECTEDVERF: 4,
  AUTH_TOOWEAK: 5,
} as const;

export const AuthFlavor = { AUTH_NULL: 0, AUTH_SYS: 1 } as const;

/** opaque_auth bodies are at most 400 bytes (RFC 5531 §8.2). */
export const MAX_AUTH_BYTES = 400;
/** AUTH_SYS machinename<255> and gids<16> (RFC 5531 appendix A). */
export const AUTH_SYS_MAX_MACHINENAME = 255;
export const AUTH_SYS_MAX_GIDS = 16;
/** uid/gid of callers without credentials (AUTH_NULL), the traditional "nobody". */
export const NOBODY = 65534;

/** Record marking (RFC 5531 §11): top bit marks the last fragment, the rest is its length. */
export const LAST_FRAGMENT = 0x8000_0000;
