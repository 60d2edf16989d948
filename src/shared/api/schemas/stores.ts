/** Metadata and payload stores. */
import { z } from 'zod';
import { MetadataStoreTypeSchema, PayloadStoreTypeSchema, StoreNameSchema, IsoTime } from './scalars.ts';

/** Backend options (path, bucket, DSN, ...). Secret values come back as REDACTED. */
export const StoreConfigValues = z.record(z.string().max(64), z.unknown());
export const REDACTED = '********';

export const MetadataStoreSchema = z.object({
  name: z.string(),
  type: MetadataStoreTypeSchema,
  config: StoreConfigValues,
  /** Shares that use it (it cannot be deleted while any does). */
  usedBy: z.array(z.string()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export const PayloadStoreSchema = MetadataStoreSchema.extend({ type: PayloadStoreTypeSchema });
export type MetadataStoreDto = z.infer<typeof MetadataStoreSchema>;
export type PayloadStoreDto = z.infer<typeof PayloadStoreSchema>;

export const CreateMetadataStoreRequest = z.strictObject({
  name: StoreNameSchema,
  type: MetadataStoreTypeSchema,
  config: StoreConfigValues.optional(),
});
export const CreatePayloadStoreRequest = z.strictObject({
  name: StoreNameSchema,
  type: PayloadStoreTypeSchema,
  config: StoreConfigValues.optional(),
});
export const UpdateStoreRequest = z.strictObject({ config: StoreConfigValues });
export const StoreParams = z.strictObject({ name: StoreNameSchema });

export const StoreHealthSchema = z.object({
  name: z.string(),
  kind: z.enum(['metadata', 'payload']),
  type: z.string(),
  healthy: z.boolean(),
  error: z.string().optional(),
  latencyMs: z.number(),
  /** Metadata stores: files; payload stores: blocks. */
  objects: z.number().optional(),
  /** Payload stores: bytes stored. */
  bytes: z.number().optional(),
  /** Metadata stores: the medium holding the store. */
  space: z.object({ totalBytes: z.number(), freeBytes: z.number(), availBytes: z.number() }).optional(),
  /** Durable payload stores: their write log and the files whose bytes wait to be carved into blocks. */
  writeLog: z.object({ bytes: z.number(), capBytes: z.number(), carveBacklogFiles: z.int() }).optional(),
});
export type StoreHealth = z.infer<typeof StoreHealthSchema>;
