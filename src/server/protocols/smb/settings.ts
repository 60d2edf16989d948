/** The SMB adapter's settings (all optional, validated in words by zod). */
import { z } from 'zod';
import { connectionLimitSetting } from '../rpc/connection-limit-setting.ts';
import { DIALECT_NAMES } from './constants.ts';

const dialect = z.enum(Object.keys(DIALECT_NAMES) as [string, ...string[]]);

/** The largest MaxReadSize / MaxWriteSize the adapter may offer (8 MiB, as Samba and Windows). */
export const MAX_IO_SIZE = 8 * 1024 * 1024;

export const SmbSettings = z.object({
  /** Largest message accepted (the 4-byte length prefix is checked before buffering). */
  maxMessageSize: z
    .number()
    .int()
    .min(64 * 1024)
    .max(16 * 1024 * 1024)
    .default(8 * 1024 * 1024 + 64 * 1024),
  /** Open connections, all clients together; past it a new connection is closed at once. */
  maxConnections: connectionLimitSetting('maxConnections'),
  /** Open connections from one client address. */
  maxConnectionsPerClient: connectionLimitSetting('maxConnectionsPerClient'),
  /**
   * A connection with no open file, no request pending and no traffic this long is closed
   * (as Windows' autodisconnect); a client with files open keeps its connection.
   */
  idleTimeoutMs: connectionLimitSetting('idleTimeoutMs'),
  /** A message must arrive whole within this long of its first byte (as NFS's recordTimeoutMs). */
  recordTimeoutMs: connectionLimitSetting('recordTimeoutMs'),
  /** Memory partially received messages may hold, all connections together (rpc/record-memory.ts). */
  maxPartialRecordBytes: connectionLimitSetting('maxPartialRecordBytes'),
  /** MaxReadSize / MaxWriteSize / MaxTransactSize offered in NEGOTIATE. */
  maxIoSize: z
    .number()
    .int()
    .min(64 * 1024)
    .max(MAX_IO_SIZE)
    .default(MAX_IO_SIZE),
  minDialect: dialect.default('2.0.2'),
  maxDialect: dialect.default('3.1.1'),
  signingRequired: z.boolean().default(false),
  /** disabled: never; preferred: offered, per share when `encrypt` asks; required: every session. */
  encryption: z.enum(['disabled', 'preferred', 'required']).default('preferred'),
  /** NetBIOS-style server name shown to clients (upper-cased); default from the host name. */
  serverName: z.string().min(1).max(15).optional(),
});

export type SmbSettings = z.infer<typeof SmbSettings>;
