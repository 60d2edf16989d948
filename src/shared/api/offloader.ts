/** The offloader of each S3 store: upload backlog and rate, local cache fill, dedup, GC. */
import { z } from 'zod';

export const GcReportSchema = z.object({
  at: z.string().describe('ISO-8601 time the run started'),
  blocks: z.number(),
  bytes: z.number(),
  ms: z.number(),
});
export type GcReportDto = z.infer<typeof GcReportSchema>;

export const OffloaderSchema = z.object({
  store: z.string(),
  /** Blocks (and their bytes) in the local cache not yet in S3. */
  pendingBlocks: z.number(),
  pendingBytes: z.number(),
  /** Upload goodput over the last few seconds, and the parallel uploads it settled on. */
  uploadBytesPerSec: z.number(),
  parallelUploads: z.number(),
  uploadedBlocks: z.number().describe('since dfs started'),
  uploadedBytes: z.number(),
  /** Uploads are failing (S3 unreachable); they are retried. */
  failing: z.boolean(),
  cacheUsedBytes: z.number(),
  cacheCapBytes: z.number(),
  /** Distinct contents stored, and what storing each content once saved. */
  storedBlocks: z.number(),
  storedBytes: z.number(),
  dedupSavedBytes: z.number(),
  lastGc: GcReportSchema.nullable(),
});
export type OffloaderDto = z.infer<typeof OffloaderSchema>;

export const OffloaderParams = z.object({ store: z.string().min(1).max(128) });

export const GcRequest = z.object({
  /** Blocks unreferenced for less than this are kept (default one hour). */
  graceSeconds: z
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .optional(),
});

export const EvictResultSchema = z.object({ bytes: z.number() });

/**
 * An S3 store whose block index is in PostgreSQL, served by several instances (docs/cluster.md):
 * nothing waits for upload (a write returns once it is in S3), so it has no backlog or drain;
 * what this instance shows is where it lives, whether its index database answers, and its
 * local cache of contents.
 */
export const SharedStoreSchema = z.object({
  store: z.string(),
  bucket: z.string(),
  /** Key prefix in the bucket ('' for none). */
  prefix: z.string(),
  /** The S3-compatible endpoint, or null for AWS. */
  endpoint: z.string().nullable(),
  blockIndex: z.object({
    /** host:port/database (never the user or password). */
    database: z.string(),
    reachable: z.boolean(),
    /** Why not, when it is not. */
    error: z.string().nullable(),
  }),
  cacheUsedBytes: z.number(),
  cacheCapBytes: z.number(),
  /** Blocks the files reference and their bytes, from the index (null while it is unreachable). */
  storedBlocks: z.number().nullable(),
  storedBytes: z.number().nullable(),
  /** This instance's latest collection (every instance collects; any may have run since). */
  lastGc: GcReportSchema.nullable(),
});
export type SharedStoreDto = z.infer<typeof SharedStoreSchema>;
