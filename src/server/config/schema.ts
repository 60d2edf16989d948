/**
 * The config file schema. Every key has a default (a laptop NAS), unknown keys are
 * errors, and each check carries the "expected ..." text that ConfigError shows.
 * Only process-level settings live here; stores, shares, users and adapters live in
 * the control-plane database (`defaults` only seeds an empty one).
 */
import { z } from 'zod';
import { METADATA_STORE_TYPES, PAYLOAD_STORE_TYPES } from '../controlplane/models.ts';
import {
  CONNECTION_LIMIT_RANGES,
  DEFAULT_CONNECTION_LIMITS,
  type ConnectionLimitSettings,
} from '../protocols/rpc/connection-limits.ts';
import { defaultDataDir } from './paths.ts';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const KiB = 1024;
const MiB = 1024 * KiB;

function int(min: number, max: number) {
  const error = `expected an integer between ${min} and ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

/** 0 asks the OS for a free port (tests, several instances on one machine). */
const port = () => int(0, 65535);
const bool = () => z.boolean({ error: 'expected true or false' });
const text = () => z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty string' });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });

/** A nested mapping; omitted means all its defaults. */
function section<S extends z.ZodRawShape>(shape: S) {
  const mapping = z.strictObject(shape, { error: 'expected a mapping' });
  // Every key has a default, so {} is valid input; TypeScript cannot see that through S.
  return mapping.prefault({} as z.input<typeof mapping>);
}

/** A connection limit of the NFS listener, with its range and default. */
const connectionLimit = (key: keyof ConnectionLimitSettings) =>
  int(...CONNECTION_LIMIT_RANGES[key]).default(DEFAULT_CONNECTION_LIMITS[key]);

const listener = (bind: string, defaultPort: number) => ({
  enabled: bool().default(true),
  bind: text().default(bind),
  port: port().default(defaultPort),
});

export const configSchema = z.strictObject(
  {
    logging: section({
      level: oneOf(LOG_LEVELS).default('info'),
      /** auto: readable lines on a terminal, JSON otherwise (services, pipes). */
      format: oneOf(['auto', 'json', 'pretty'] as const).default('auto'),
    }),
    dataDir: text().default(defaultDataDir),
    controlplane: section({
      /** A SQLite file (relative paths are resolved against dataDir) or a postgres:// URL. */
      database: text().default('controlplane.db'),
      /** On PostgreSQL: connections kept, and how long one may take to open (TLS: `sslmode` in the URL). */
      poolSize: int(1, 100).default(4),
      connectTimeoutMs: int(100, 120_000).default(10_000),
    }),
    api: section(listener('127.0.0.1', 8080)),
    metrics: section(listener('127.0.0.1', 9090)),
    nfs: section({
      ...listener('0.0.0.0', 12049),
      portmapper: section({ enabled: bool().default(false), port: port().default(10111) }),
      /** Largest RPC record accepted: a 4 MiB WRITE plus headers. */
      maxRecordSize: int(64 * KiB, 64 * MiB).default(4 * MiB + 64 * KiB),
      /** Open connections, all clients together, and from one client address. */
      maxConnections: connectionLimit('maxConnections'),
      maxConnectionsPerClient: connectionLimit('maxConnectionsPerClient'),
      /** A connection with nothing running and no traffic this long is closed. */
      idleTimeoutMs: connectionLimit('idleTimeoutMs'),
      /** A record must arrive whole within this long of its first byte. */
      recordTimeoutMs: connectionLimit('recordTimeoutMs'),
      /** Memory partially received records may hold, all connections together. */
      maxPartialRecordBytes: connectionLimit('maxPartialRecordBytes'),
      /** The NFS versions served (the adapter checks min <= max: protocols/nfs/versions.ts). */
      minVersion: oneOf(['3', '4.0', '4.1', '4.2'] as const).default('3'),
      maxVersion: oneOf(['3', '4.0', '4.1', '4.2'] as const).default('4.2'),
    }),
    smb: section(listener('0.0.0.0', 12445)),
    /** The write path of managed shares (fs and S3 stores): slice cache and write log. */
    cache: section({
      /** Memory for written data (unsaved and recent), all shares together. */
      memoryBytes: int(16 * MiB, Number.MAX_SAFE_INTEGER).default(64 * MiB),
      /** Disk the write log may use per store; 0: a tenth of the free disk (256 MiB to 8 GiB). */
      logBytes: int(0, Number.MAX_SAFE_INTEGER)
        .refine((v) => v === 0 || v >= 16 * MiB, { error: 'expected 0 or at least 16 MiB (16777216)' })
        .default(0),
      /** Writes at least this long skip the log and go straight to their blocks; 0: log every write. */
      bypassBytes: int(0, 64 * MiB).default(1 * MiB),
      /** Local disk cache of each S3 store (data waiting for upload, recent reads); 0: a fifth of the free disk. */
      offloadBytes: int(0, Number.MAX_SAFE_INTEGER)
        .refine((v) => v === 0 || v >= 16 * MiB, { error: 'expected 0 or at least 16 MiB (16777216)' })
        .default(0),
      /** On a share with durability 'remote': how long a COMMIT waits for its uploads before failing with an I/O error. */
      remoteCommitTimeoutMs: int(1000, 600_000).default(20_000),
    }),
    shutdownTimeoutMs: int(0, 600_000).default(10_000),
    health: section({
      /** How often the PostgreSQL databases in use are probed (alert, /health/ready). */
      databaseCheckMs: int(100, 600_000).default(5000),
    }),
    /** Instances sharing one control-plane database list each other (the cluster view). */
    cluster: section({
      /** How often this instance records that it is alive (and its sessions, health, pool use). */
      heartbeatMs: int(100, 600_000).default(5000),
      /** An instance not heard from for this long is shown down. */
      downAfterMs: int(300, 3_600_000).default(20_000),
    }),
    defaults: section({
      share: z
        .string({ error: 'expected a share path such as /export' })
        .regex(/^\/[^/]/, { error: 'expected a share path such as /export' })
        .default('/export'),
      metadataStore: section({ type: oneOf(METADATA_STORE_TYPES).default('sqlite') }),
      payloadStore: section({ type: oneOf(PAYLOAD_STORE_TYPES).default('fs') }),
    }),
  },
  { error: 'expected a mapping' },
);

export type Config = z.output<typeof configSchema>;

/** controlplane.database names a PostgreSQL database rather than a SQLite file. */
export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//.test(database);

/** The control-plane database as it may be shown (config show, errors): a URL without its password. */
export function shownDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database;
  try {
    const url = new URL(database);
    url.password = '';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}
