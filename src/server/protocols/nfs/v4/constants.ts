/** NFSv4.0 protocol numbers (RFC 7531, the XDR of RFC 7530). */
export const NFS_V4 = 4;
export const NFS4_FHSIZE = 128;
export const NFS4_VERIFIER_SIZE = 8;
export const NFS4_OTHER_SIZE = 12;
/** Longest name component, tag and owner string accepted. */
export const NFS4_MAXNAME = 255;
export const NFS4_MAXTAG = 1024;
export const NFS4_MAXOPAQUE = 1024;
/** Operations in one COMPOUND past which the server answers RESOURCE (RFC 7530 §15.2.5). */
export const NFS4_MAX_OPS = 128;

/** nfs_opnum4 (RFC 7531). */
export enum Op {
  ACCESS = 3,
  CLOSE = 4,
  COMMIT = 5,
  CREATE = 6,
  DELEGPURGE = 7,
  DELEGRETURN = 8,
  GETATTR = 9,
  GETFH = 10,
  LINK = 11,
  LOCK = 12,
  LOCKT = 13,
  LOCKU = 14,
  LOOKUP = 15,
  LOOKUPP = 16,
  NVERIFY = 17,
  OPEN = 18,
  OPENATTR = 19,
  OPEN_CONFIRM = 20,
  OPEN_DOWNGRADE = 21,
  PUTFH = 22,
  PUTPUBFH = 23,
  PUTROOTFH = 24,
  READ = 25,
  READDIR = 26,
  READLINK = 27,
  REMOVE = 28,
  RENAME = 29,
  RENEW = 30,
  RESTOREFH = 31,
  SAVEFH = 32,
  SECINFO = 33,
  SETATTR = 34,
  SETCLIENTID = 35,
  SETCLIENTID_CONFIRM = 36,
  VERIFY = 37,
  WRITE = 38,
  RELEASE_LOCKOWNER = 39,
  ILLEGAL = 10044,
}

/** nfsstat4 values used here (RFC 7531); the Unix-errno ones equal NFSv3's. */
export const Nfs4Status = {
  OK: 0,
  INVAL: 22,
  NOTSUPP: 10004,
  SERVERFAULT: 10006,
  SAME: 10009,
  EXPIRED: 10011,
  LOCKED: 10012,
  SHARE_DENIED: 10015,
  RESOURCE: 10018,
  NOFILEHANDLE: 10020,
  MINOR_VERS_MISMATCH: 10021,
  STALE_CLIENTID: 10022,
  STALE_STATEID: 10023,
  OLD_STATEID: 10024,
  BAD_STATEID: 10025,
  BAD_SEQID: 10026,
  NOT_SAME: 10027,
  SYMLINK: 10029,
  RESTOREFH: 10030,
  ATTRNOTSUPP: 10032,
  NO_GRACE: 10033,
  BADXDR: 10036,
  OPENMODE: 10038,
  BADOWNER: 10039,
  BADNAME: 10041,
  OP_ILLEGAL: 10044,
  ISDIR: 21,
  GRACE: 10013,
  RECLAIM_BAD: 10034,
  DENIED: 10010,
  LOCKS_HELD: 10037,
  LOCK_RANGE: 10028,
  NOTDIR: 20,
  NOENT: 2,
  ACCESS: 13,
  ROFS: 30,
  STALE: 70,
  NAMETOOLONG: 63,
  XDEV: 18,
  BADTYPE: 10007,
  BAD_COOKIE: 10003,
  TOOSMALL: 10005,
} as const;

/** OPEN share_access / share_deny bits (RFC 7530 §16.16). */
export const SHARE_ACCESS_READ = 1;
export const SHARE_ACCESS_WRITE = 2;
export const SHARE_ACCESS_BOTH = 3;
export const SHARE_DENY_WRITE = 2;
export const OPEN4_RESULT_CONFIRM = 2;
export const OPEN4_RESULT_LOCKTYPE_POSIX = 4;

export const StableHow4 = { UNSTABLE: 0, DATA_SYNC: 1, FILE_SYNC: 2 } as const;
