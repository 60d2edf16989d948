/**
 * An S3 payload store's options, as the control plane keeps them (`config` of a payload
 * store of type s3). Credentials are optional: without them the standard AWS chain applies
 * (environment, shared profile, instance role). The secret is redacted by the API
 * (runtime/store-admin.ts) and never logged.
 */
import { z } from 'zod';
import { DittoError } from '../../../../shared/errors.ts';
import { parseStoreOptions } from '../../../config/store-options.ts';
import { PostgresConfigSchema } from '../../../postgres/config.ts';

/** S3's rule for bucket names (the common subset every provider accepts). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const S3StoreConfigSchema = z.strictObject({
  bucket: z.string().regex(BUCKET, 'a bucket name is 3-63 lowercase letters, digits, "." or "-"'),
  region: z.string().min(1).max(64).optional(),
  /** For S3-compatible services (MinIO, Ceph, ...): http(s)://host[:port]. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Path-style addressing (http://host/bucket/key), which most S3-compatible services need. */
  forcePathStyle: z.boolean().optional(),
  /** Keys of this store live under this prefix in the bucket (several stores may share a bucket). */
  prefix: z
    .string()
    .max(200)
    .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, 'a key prefix is path segments each ending in "/"')
    .optional(),
  accessKeyId: z.string().min(1).max(256).optional(),
  secretAccessKey: z.string().min(1).max(256).optional(),
  /** One request's deadline; a request past it is retried. */
  requestTimeoutMs: z.int().min(100).max(600_000).optional(),
  /** Attempts per operation, with exponential backoff and full jitter between them. */
  maxAttempts: z.int().min(1).max(20).optional(),
  /**
   * A PostgreSQL database for the store's block index, which makes the store servable by
   * several dfs instances at once (docs/cluster.md); without it the index is local (offloader).
   */
  blockIndex: PostgresConfigSchema.optional(),
});
export type S3StoreConfig = z.infer<typeof S3StoreConfigSchema>;

export function parseS3Config(config: Record<string, unknown>): S3StoreConfig {
  const parsed = parseStoreOptions(S3StoreConfigSchema, config, 'S3 store');
  if ((parsed.accessKeyId === undefined) !== (parsed.secretAccessKey === undefined)) {
    throw new DittoError(
      'VALIDATION',
      'Give both the access key and the secret key, or neither (AWS credential chain).',
    );
  }
  return parsed;
}
