/** Mounts, clients, statistics and alerts: what the server is doing. */
import { z } from 'zod';
import { AdapterStateSchema, AdapterTypeSchema, AlertLevelSchema, MountProtocolSchema, IsoTime } from './scalars.ts';

export const MountSchema = z.object({
  id: z.string(),
  protocol: MountProtocolSchema,
  clientAddr: z.string(),
  share: z.string(),
  /** The user's name; for an NFS uid no user has, "uid <n>". */
  user: z.string(),
  /** NFS AUTH_SYS: the uid the client sent. */
  uid: z.int().nullable(),
  /** NFS: the protocol version mounted with ("3", "4.0", "4.1", "4.2"). */
  version: z.string().optional(),
  since: IsoTime,
  /** The last request on this mount (the MOUNT call itself at first). */
  lastActive: IsoTime,
  /**
   * 'connected': a live connection, or a request in the last few minutes. 'mounted': only
   * the MOUNT record is left (NFSv3 clients such as libnfs never unmount, and NFS may be down).
   */
  state: z.enum(['connected', 'mounted']),
  /** Live TCP connections of this client that used this share. */
  connections: z.int(),
  bytesRead: z.number(),
  bytesWritten: z.number(),
  ops: z.number(),
  /** Files the client has open on the share (NFSv4 opens, SMB opens). */
  opens: z.int(),
  /** Byte-range locks the client holds on the share (NFSv4, NLM, SMB). */
  locks: z.int(),
  /** SMB: the dialect and protection of the client's live connection to the share. */
  security: z.object({ dialect: z.string(), signed: z.boolean(), encrypted: z.boolean() }).optional(),
});
export type MountDto = z.infer<typeof MountSchema>;
export const MountParams = z.strictObject({ id: z.string().min(1).max(64) });

export const ClientSchema = z.object({
  address: z.string(),
  protocols: z.array(MountProtocolSchema),
  shares: z.array(z.string()),
  users: z.array(z.string()),
  mounts: z.int(),
  since: IsoTime,
  bytesRead: z.number(),
  bytesWritten: z.number(),
  ops: z.number(),
});
export type ClientDto = z.infer<typeof ClientSchema>;
export const ClientParams = z.strictObject({ address: z.string().min(1).max(128) });
export const DisconnectResultSchema = z.object({ disconnected: z.int() });

export const ThroughputSchema = z.object({ bytesRead: z.number(), bytesWritten: z.number(), ops: z.number() });
export const ThroughputSampleSchema = z.object({
  time: IsoTime,
  total: ThroughputSchema,
  byShare: z.record(z.string(), ThroughputSchema),
  byClient: z.record(z.string(), ThroughputSchema),
});
export type ThroughputSampleDto = z.infer<typeof ThroughputSampleSchema>;

export const AlertSchema = z.object({
  id: z.string(),
  level: AlertLevelSchema,
  /** Stable per cause ("disk.almost-full", "adapter.nfs"): one alert per cause at a time. */
  cause: z.string(),
  message: z.string(),
  time: IsoTime,
  /** The setting or page that fixes it, e.g. "settings/alerts.diskAlmostFullPercent". */
  link: z.string().optional(),
  resolved: z.boolean(),
});
export type AlertDto = z.infer<typeof AlertSchema>;
export const AlertParams = z.strictObject({ id: z.string().min(1).max(64) });

/** Who started the server: a service manager (systemd, launchd), the desktop app, or a person by hand. */
export const LauncherSchema = z.enum(['service', 'desktop', 'manual']);
export type Launcher = z.infer<typeof LauncherSchema>;
export const StatsSchema = z.object({
  version: z.string(),
  launcher: LauncherSchema,
  startedAt: IsoTime,
  uptimeSeconds: z.number(),
  /** Since start. */
  totals: ThroughputSchema,
  /** The last one-second window. */
  throughput: ThroughputSampleSchema.nullable(),
  mounts: z.int(),
  clients: z.int(),
  shares: z.object({ total: z.int(), enabled: z.int() }),
  users: z.int(),
  adapters: z.array(z.object({ type: AdapterTypeSchema, state: AdapterStateSchema, boundPort: z.int().nullable() })),
  alerts: z.object({ active: z.int(), warnings: z.int() }),
  dataDir: z
    .object({ path: z.string(), totalBytes: z.number(), freeBytes: z.number(), availBytes: z.number() })
    .nullable(),
  /** The memory slices in front of every write log: bytes held, of them not yet carved (dirty), and the bound. */
  writeCache: z.object({
    bytes: z.number(),
    dirtyBytes: z.number(),
    /** Unsaved bytes dropped from memory: in the write log only until carved into blocks. */
    spilledBytes: z.number(),
    capBytes: z.number(),
  }),
});
export type StatsDto = z.infer<typeof StatsSchema>;

export const HealthSchema = z.object({
  /** unavailable: a database it depends on cannot be reached (the checks say which). */
  status: z.enum(['ok', 'ready', 'starting', 'unavailable']),
  checks: z.record(z.string(), z.string()).optional(),
});
