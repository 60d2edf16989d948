/** MS-SMB2 §2.2 numbers: commands, header flags, dialects, and the NTSTATUS codes (MS-ERREF §2.3) we answer. */

export enum Command {
  NEGOTIATE = 0x00,
  SESSION_SETUP = 0x01,
  LOGOFF = 0x02,
  TREE_CONNECT = 0x03,
  TREE_DISCONNECT = 0x04,
  CREATE = 0x05,
  CLOSE = 0x06,
  FLUSH = 0x07,
  READ = 0x08,
  WRITE = 0x09,
  LOCK = 0x0a,
  IOCTL = 0x0b,
  CANCEL = 0x0c,
  ECHO = 0x0d,
  QUERY_DIRECTORY = 0x0e,
  CHANGE_NOTIFY = 0x0f,
  QUERY_INFO = 0x10,
  SET_INFO = 0x11,
  OPLOCK_BREAK = 0x12,
}

/** §2.2.1.2 header Flags. */
export const Flags = {
  SERVER_TO_REDIR: 0x1,
  ASYNC_COMMAND: 0x2,
  RELATED_OPERATIONS: 0x4,
  SIGNED: 0x8,
} as const;

export enum Dialect {
  SMB202 = 0x0202,
  SMB210 = 0x0210,
  SMB300 = 0x0300,
  SMB302 = 0x0302,
  SMB311 = 0x0311,
  /** §3.3.5.3.1: the answer to an SMB1 NEGOTIATE offering "SMB 2.???". */
  WILDCARD = 0x02ff,
}

export const DIALECTS: readonly Dialect[] = [
  Dialect.SMB202,
  Dialect.SMB210,
  Dialect.SMB300,
  Dialect.SMB302,
  Dialect.SMB311,
];

/** Names as the adapter settings and the sessions list spell them. */
export const DIALECT_NAMES: Record<string, Dialect> = {
  '2.0.2': Dialect.SMB202,
  '2.1': Dialect.SMB210,
  '3.0': Dialect.SMB300,
  '3.0.2': Dialect.SMB302,
  '3.1.1': Dialect.SMB311,
};

export function dialectName(d: Dialect): string {
  return Object.entries(DIALECT_NAMES).find(([, v]) => v === d)?.[0] ?? `0x${d.toString(16)}`;
}

export const is3x = (d: Dialect): boolean => d >= Dialect.SMB300 && d !== Dialect.WILDCARD;

/** §2.2.4 Capabilities. */
export const Cap = {
  DFS: 0x1,
  LEASING: 0x2,
  LARGE_MTU: 0x4,
  MULTI_CHANNEL: 0x8,
  PERSISTENT_HANDLES: 0x10,
  DIRECTORY_LEASING: 0x20,
  ENCRYPTION: 0x40,
} as const;

/** §2.2.3 SecurityMode. */
export const SIGNING_ENABLED = 0x1;
export const SIGNING_REQUIRED = 0x2;

/** §2.2.3.1 negotiate context types. */
export const ContextType = {
  PREAUTH_INTEGRITY: 0x1,
  ENCRYPTION: 0x2,
  SIGNING: 0x8,
} as const;

/** §2.2.3.1.2 ciphers. */
export enum Cipher {
  AES128_CCM = 1,
  AES128_GCM = 2,
  AES256_CCM = 3,
  AES256_GCM = 4,
}

/** §2.2.3.1.7 signing algorithms. */
export enum SigningAlg {
  HMAC_SHA256 = 0,
  AES_CMAC = 1,
  AES_GMAC = 2,
}

export const Status = {
  SUCCESS: 0x00000000,
  PENDING: 0x00000103,
  NOTIFY_CLEANUP: 0x0000010b,
  NOTIFY_ENUM_DIR: 0x0000010c,
  BUFFER_OVERFLOW: 0x80000005,
  NO_MORE_FILES: 0x80000006,
  UNSUCCESSFUL: 0xc0000001,
  NOT_IMPLEMENTED: 0xc0000002,
  INVALID_INFO_CLASS: 0xc0000003,
  INFO_LENGTH_MISMATCH: 0xc0000004,
  INVALID_HANDLE: 0xc0000008,
  INVALID_PARAMETER: 0xc000000d,
  NO_SUCH_FILE: 0xc000000f,
  INVALID_DEVICE_REQUEST: 0xc0000010,
  END_OF_FILE: 0xc0000011,
  INVALID_VIEW_SIZE: 0xc000001f,
  NO_EAS_ON_FILE: 0xc0000052,
  MORE_PROCESSING_REQUIRED: 0xc0000016,
  ACCESS_DENIED: 0xc0000022,
  BUFFER_TOO_SMALL: 0xc0000023,
  OBJECT_NAME_INVALID: 0xc0000033,
  OBJECT_NAME_NOT_FOUND: 0xc0000034,
  OBJECT_NAME_COLLISION: 0xc0000035,
  OBJECT_PATH_NOT_FOUND: 0xc000003a,
  OBJECT_PATH_SYNTAX_BAD: 0xc000003b,
  SHARING_VIOLATION: 0xc0000043,
  FILE_LOCK_CONFLICT: 0xc0000054,
  LOCK_NOT_GRANTED: 0xc0000055,
  RANGE_NOT_LOCKED: 0xc000007e,
  INVALID_LOCK_RANGE: 0xc00001a1,
  DELETE_PENDING: 0xc0000056,
  PRIVILEGE_NOT_HELD: 0xc0000061,
  LOGON_FAILURE: 0xc000006d,
  INSUFFICIENT_RESOURCES: 0xc000009a,
  FILE_SYSTEM_LIMITATION: 0xc0000427,
  BAD_IMPERSONATION_LEVEL: 0xc00000a5,
  MEDIA_WRITE_PROTECTED: 0xc00000a2,
  FILE_IS_A_DIRECTORY: 0xc00000ba,
  NOT_SUPPORTED: 0xc00000bb,
  NETWORK_NAME_DELETED: 0xc00000c9,
  BAD_NETWORK_NAME: 0xc00000cc,
  REQUEST_NOT_ACCEPTED: 0xc00000d0,
  INTERNAL_ERROR: 0xc00000e5,
  DIRECTORY_NOT_EMPTY: 0xc0000101,
  NOT_A_DIRECTORY: 0xc0000103,
  CANCELLED: 0xc0000120,
  CANNOT_DELETE: 0xc0000121,
  FILE_CLOSED: 0xc0000128,
  USER_SESSION_DELETED: 0xc0000203,
  NETWORK_SESSION_EXPIRED: 0xc000035c,
  NOT_FOUND: 0xc0000225,
  NOT_A_REPARSE_POINT: 0xc0000275,
  FILE_NOT_AVAILABLE: 0xc0000467,
  ACCESS_DENIED_SIGNING: 0xc0000022,
} as const;

/** §2.2.1 the fixed header. */
export const HEADER_SIZE = 64;
/** §2.2.41 TRANSFORM_HEADER. */
export const TRANSFORM_HEADER_SIZE = 52;

/** MS-SMB2 §2.2.37 QUERY_INFO / SET_INFO InfoType. */
export const InfoType = { FILE: 1, FILESYSTEM: 2, SECURITY: 3, QUOTA: 4 } as const;
