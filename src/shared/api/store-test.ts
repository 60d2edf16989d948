/**
 * "Test connection" of a payload store before it is saved: the options a store would be
 * created with, checked in stages (reach the endpoint, sign in, list the bucket, put, get
 * and delete a probe object; then, for a store with a block index, query its database). A
 * secret sent back as REDACTED (what the API shows of a saved store) stands for the saved
 * secret of the store `name`.
 */
import { z } from 'zod';
import { PayloadStoreTypeSchema, StoreConfigValues, StoreNameSchema } from './schemas.ts';

export const TestPayloadStoreRequest = z.strictObject({
  /** The saved store whose hidden secret a REDACTED value stands for (optional for a new store). */
  name: StoreNameSchema.optional(),
  type: PayloadStoreTypeSchema,
  config: StoreConfigValues.optional(),
});
export type TestPayloadStoreInput = z.infer<typeof TestPayloadStoreRequest>;

/** The stages of S3, in the order they run; a stage runs only when the one before it passed. */
export const S3_TEST_STAGES = ['connect', 'auth', 'bucket', 'write', 'read', 'delete'] as const;
/** Every stage: a store with a block index in PostgreSQL (docs/cluster.md) is also tested for that, after S3. */
export const STORE_TEST_STAGES = [...S3_TEST_STAGES, 'blockIndex'] as const;
export type StoreTestStage = (typeof STORE_TEST_STAGES)[number];

export const STORE_TEST_STAGE_LABELS: Record<StoreTestStage, string> = {
  connect: 'Reach the endpoint',
  auth: 'Sign in',
  bucket: 'List the bucket',
  write: 'Write a test object',
  read: 'Read it back',
  delete: 'Delete it',
  blockIndex: 'Reach the block index database',
};

export const StoreTestStageSchema = z.object({
  stage: z.enum(STORE_TEST_STAGES),
  status: z.enum(['ok', 'failed', 'skipped']),
  /** What was found, in words (never a secret). */
  message: z.string(),
  ms: z.number(),
});
export type StoreTestStageDto = z.infer<typeof StoreTestStageSchema>;

export const StoreTestSchema = z.object({
  /** Every stage passed. */
  ok: z.boolean(),
  stages: z.array(StoreTestStageSchema),
  ms: z.number(),
});
export type StoreTestDto = z.infer<typeof StoreTestSchema>;
