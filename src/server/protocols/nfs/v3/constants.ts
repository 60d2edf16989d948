/** NFS version 3 numbers and limits (RFC 1813 §2). */

export const NFS_PROG = 100003;
export const NFS_V3 = 3;

export const NfsProc = {
  NULL: 0,
  GETATTR: 1,
  SETATTR: 2,
  LOOKUP: 3,
  ACCESS: 4,
  READLINK: 5,
  READ: 6,
  WRITE: 7,
  CREATE: 8,
  MKDIR: 9,
  SYMLINK: 10,
  MKNOD: 11,
  REMOVE: 12,
  RMDIR: 13,
  RENAME: 14,
  LINK: 15,
  READDIR: 16,
  READDIRPLUS: 17,
  FSSTAT: 18,
  FSINFO: 19,
  PATHCONF: 20,
  COMMIT: 21,
} as const;

export const NFS3_OK = 0;

/** nfs_fh3 is opaque<NFS3_FHSIZE>. */
export const NFS3_FHSIZE = 64;
/** createverf3, writeverf3 and cookieverf3 are opaque[8]. */
export const NFS3_VERFSIZE = 8;
/** Longest component name (PATHCONF name_max). */
export const NAME_MAX = 255;
/** Bound for decoding filename3 and nfspath3 (longer names still get NAMETOOLONG, not GARBAGE_ARGS). */
export const MAX_PATH_BYTES = 4096;

/** stable_how (RFC 1813 §3.3.7). */
export const StableHow = { UNSTABLE: 0, DATA_SYNC: 1, FILE_SYNC: 2 } as const;

/** createmode3 (RFC 1813 §3.3.8). */
export const CreateHow = { UNCHECKED: 0, GUARDED: 1, EXCLUSIVE: 2 } as const;

/** time_how (RFC 1813 §2.6 sattr3). */
export const TimeHow = { DONT_CHANGE: 0, SET_TO_SERVER_TIME: 1, SET_TO_CLIENT_TIME: 2 } as const;

/** FSINFO properties bits (RFC 1813 §3.3.19). */
export const FSF3 = { LINK: 0x1, SYMLINK: 0x2, HOMOGENEOUS: 0x8, CANSETTIME: 0x10 } as const;

/** Transfer sizes and limits the server advertises in FSINFO / PATHCONF. */
export const LIMITS = {
  rtmax: 1024 * 1024,
  rtpref: 1024 * 1024,
  wtmax: 1024 * 1024,
  wtpref: 1024 * 1024,
  /** Suggested multiple for transfer sizes (one page). */
  mult: 4096,
  dtpref: 64 * 1024,
  /** Offsets are JS numbers. */
  maxFileSize: Number.MAX_SAFE_INTEGER,
  linkMax: 32767,
} as const;
