/**
 * The cluster view: every dfs instance on one control-plane database, with what each last
 * reported of itself (sessions, readiness, PostgreSQL pool use).
 */
import { z } from 'zod';

export const PoolUseSchema = z.object({
  /** Connections open, idle among them, callers waiting for one, and the pool's size. */
  total: z.number(),
  idle: z.number(),
  waiting: z.number(),
  max: z.number(),
});

export const DatabaseStatusSchema = z.object({
  /** "controlplane", "metadata:<store>" or "blocks:<payload store>" (a shared S3 store's block index). */
  name: z.string(),
  /** Why it could not be reached at the last probe; null: it answered. */
  error: z.string().nullable(),
  pool: PoolUseSchema,
});
export type DatabaseStatusDto = z.infer<typeof DatabaseStatusSchema>;

/** Readiness as /health/ready gives it. */
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'starting', 'unavailable']),
  checks: z.record(z.string(), z.string()),
});
export type ReadinessDto = z.infer<typeof ReadinessSchema>;

/** What an instance reports with each heartbeat. */
export const InstanceReportSchema = z.object({
  /** Connected NFS and SMB sessions. */
  sessions: z.number(),
  health: ReadinessSchema,
  databases: z.array(DatabaseStatusSchema),
});
export type InstanceReportDto = z.infer<typeof InstanceReportSchema>;

export const InstanceSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  addresses: z.array(z.string()),
  ports: z.object({ api: z.number().nullable(), nfs: z.number().nullable(), smb: z.number().nullable() }),
  version: z.string(),
  startedAt: z.string().describe('ISO-8601 time'),
  lastSeen: z.string().describe('ISO-8601 time'),
  /** up: heard from recently; down: silent longer than downAfterMs; stopped: stopped cleanly. */
  state: z.enum(['up', 'down', 'stopped']),
  /** The instance answering this request. */
  self: z.boolean(),
  /** Its last report; null before the first one (or when unreadable). */
  report: InstanceReportSchema.nullable(),
});
export type InstanceDto = z.infer<typeof InstanceSchema>;

export const ClusterSchema = z.object({
  /** How long an instance may be silent before it is shown down. */
  downAfterMs: z.number(),
  instances: z.array(InstanceSchema),
});
export type ClusterDto = z.infer<typeof ClusterSchema>;

export const InstanceParams = z.strictObject({ id: z.string().min(1).max(64) });
